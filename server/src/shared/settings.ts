/**
 * The settings shape under `ctxkit.*`, shared by the language server and the VS Code client.
 *
 * This file has no runtime dependency (type-only imports), so the client bundle can include it without pulling in
 * TypeScript or ESLint. To add a setting: (1) add the field to {@link CtxkitSettings}, (2) give it a default in
 * `CtxkitSettings.defaults`, (3) validate it in `CtxkitSettings.validate` (a wrong type gives a problem message and
 * the default), (4) declare it in the root `package.json` under `contributes.configuration`.
 */
import type { ContextTypeSpec } from "../../../eslint-plugin/src/analysis/contextTypes";

export type RuleSeverity = "off" | "warn" | "error";

/** A rule's setting: a severity, or a severity with the rule's options object (ESLint's `[severity, options]`). */
export type RuleSetting = RuleSeverity | [RuleSeverity, Record<string, unknown>];

export type TraceSetting = "off" | "messages" | "verbose";

export interface CtxkitSettings {
  /** Diagnostics and code actions on or off. */
  enable: boolean;
  /**
   * Per-rule overrides, keyed by rule name (`require-cancel`) or rule id (`ctxkit/require-cancel`). Rules not listed
   * keep their default: on as a warning when the rule is in the plugin's `recommended` config, off otherwise.
   */
  rules: Record<string, RuleSetting>;
  /** Replaces the default set of context types for every rule (the rules' `contextTypes` option); `null` keeps it. */
  contextTypes: ContextTypeSpec[] | null;
  /** "Thread ctx up the call chain": how many levels of callers it threads through before it stops (default 8). */
  threadCtx: { maxDepth: number };
  trace: { server: TraceSetting };
}

export namespace CtxkitSettings {
  /** The configuration section the server asks for with `workspace/configuration`. */
  export const section = "ctxkit";

  export function defaults(): CtxkitSettings {
    return { enable: true, rules: {}, contextTypes: null, threadCtx: { maxDepth: 8 }, trace: { server: "off" } };
  }

  export function isRuleSeverity(value: unknown): value is RuleSeverity {
    return value === "off" || value === "warn" || value === "error";
  }

  /** Normalises a rule key to its name: `ctxkit/require-cancel` → `require-cancel`. */
  export function ruleName(key: string): string {
    return key.startsWith("ctxkit/") ? key.slice("ctxkit/".length) : key;
  }

  export interface Validated {
    settings: CtxkitSettings;
    /** One sentence per setting that was of the wrong shape and fell back to its default. */
    problems: string[];
  }

  function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }

  function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
  }

  function validateRule(key: string, value: unknown, problems: string[]): RuleSetting | undefined {
    if (isRuleSeverity(value)) return value;
    if (Array.isArray(value) && value.length >= 1 && value.length <= 2 && isRuleSeverity(value[0])) {
      if (value.length === 1) return value[0];
      if (isPlainObject(value[1])) return [value[0], value[1]];
      problems.push(`ctxkit.rules["${key}"]: the options (second element) must be an object, got ${describe(value[1])}; using the rule's default.`);
      return undefined;
    }
    problems.push(`ctxkit.rules["${key}"] must be "off", "warn", "error" or [severity, options], got ${describe(value)}; using the rule's default.`);
    return undefined;
  }

  function validateContextType(spec: unknown, index: number, problems: string[]): spec is ContextTypeSpec {
    const where = `ctxkit.contextTypes[${index}]`;
    if (!isPlainObject(spec)) {
      problems.push(`${where} must be an object such as { "from": "global", "name": "AbortSignal" }, got ${describe(spec)}.`);
      return false;
    }
    const str = (k: string): boolean => typeof spec[k] === "string" && (spec[k] as string).length > 0;
    switch (spec.from) {
      case "package":
        if (str("package") && str("name")) return true;
        problems.push(`${where}: { "from": "package" } needs non-empty "package" and "name" strings.`);
        return false;
      case "global":
      case "file":
        if (str("name")) return true;
        problems.push(`${where}: { "from": "${spec.from}" } needs a non-empty "name" string.`);
        return false;
      case "shape":
        if (Array.isArray(spec.properties) && spec.properties.length > 0 && spec.properties.every((p) => typeof p === "string" && p.length > 0)) return true;
        problems.push(`${where}: { "from": "shape" } needs "properties", a non-empty array of property names.`);
        return false;
      default:
        problems.push(`${where}: "from" must be "package", "global", "shape" or "file", got ${describe(spec.from)}.`);
        return false;
    }
  }

  /**
   * Reads the raw `ctxkit` section as the client sent it. Every field of the wrong type is reported and replaced by
   * its default; fields not given keep their defaults; unknown fields are ignored.
   */
  export function validate(raw: unknown): Validated {
    const settings = defaults();
    const problems: string[] = [];
    if (raw === undefined || raw === null) return { settings, problems };
    if (!isPlainObject(raw)) {
      problems.push(`The ctxkit settings must be an object, got ${describe(raw)}; using the defaults.`);
      return { settings, problems };
    }
    if (raw.enable !== undefined) {
      if (typeof raw.enable === "boolean") settings.enable = raw.enable;
      else problems.push(`ctxkit.enable must be true or false, got ${describe(raw.enable)}; using true.`);
    }
    if (raw.rules !== undefined && raw.rules !== null) {
      if (!isPlainObject(raw.rules)) {
        problems.push(`ctxkit.rules must be an object of rule name to severity, got ${describe(raw.rules)}; using the defaults.`);
      } else {
        for (const [key, value] of Object.entries(raw.rules)) {
          const rule = validateRule(key, value, problems);
          if (rule !== undefined) settings.rules[ruleName(key)] = rule;
        }
      }
    }
    if (raw.contextTypes !== undefined && raw.contextTypes !== null) {
      if (!Array.isArray(raw.contextTypes)) {
        problems.push(`ctxkit.contextTypes must be an array, got ${describe(raw.contextTypes)}; using the default context types.`);
      } else {
        const specs = raw.contextTypes as unknown[];
        const valid = specs.filter((s, i): s is ContextTypeSpec => validateContextType(s, i, problems));
        if (valid.length === specs.length) settings.contextTypes = valid;
        else problems.push("ctxkit.contextTypes has invalid entries; using the default context types until it is fixed.");
      }
    }
    const maxDepth = isPlainObject(raw.threadCtx) ? raw.threadCtx.maxDepth : undefined;
    if (maxDepth !== undefined && maxDepth !== null) {
      if (typeof maxDepth === "number" && Number.isInteger(maxDepth) && maxDepth >= 1 && maxDepth <= 100) settings.threadCtx.maxDepth = maxDepth;
      else problems.push(`ctxkit.threadCtx.maxDepth must be a whole number from 1 to 100, got ${describe(maxDepth)}; using ${settings.threadCtx.maxDepth}.`);
    }
    const trace = isPlainObject(raw.trace) ? raw.trace.server : raw.trace;
    if (trace !== undefined) {
      if (trace === "off" || trace === "messages" || trace === "verbose") settings.trace.server = trace;
      else problems.push(`ctxkit.trace.server must be "off", "messages" or "verbose", got ${describe(trace)}; using "off".`);
    }
    return { settings, problems };
  }
}
