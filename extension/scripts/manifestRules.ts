/**
 * The `ctxkit.rules` part of the manifest (root package.json), made from the plugin's rules so the two cannot
 * drift: one property per rule, with the rule's description and its default. `sync-manifest.ts` writes it;
 * test/extension/manifest.test.ts checks that package.json holds exactly this.
 */
import { rules } from "../../eslint-plugin/src/rules";

const severity = {
  type: "string",
  enum: ["off", "warn", "error"],
  enumDescriptions: ["Rule off.", "Report as a warning.", "Report as an error."],
};

export type RuleProperty = Record<string, unknown>;

export function ruleProperties(): Record<string, RuleProperty> {
  const out: Record<string, RuleProperty> = {};
  for (const name of Object.keys(rules).sort()) {
    const docs = rules[name]!.meta.docs as { description?: string; recommended?: unknown } | undefined;
    const description = (docs?.description ?? name).replace(/\.?$/, ".");
    const byDefault = docs?.recommended ? '`"warn"` (in the `recommended` config)' : "off";
    out[name] = {
      markdownDescription: `${description} Default: ${byDefault}. A severity (\`"off"\`, \`"warn"\`, \`"error"\`) or \`[severity, options]\`, as in ESLint. [Docs](https://github.com/ctxkit/ctxkit/blob/main/eslint-plugin/docs/rules/${name}.md)`,
      anyOf: [severity, { type: "array", items: [severity, { type: "object", description: "The rule's options, as in ESLint." }], minItems: 1, maxItems: 2 }],
    };
  }
  return out;
}
