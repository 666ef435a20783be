/**
 * Flat-config presets. `recommended` turns on the rules precise enough for every codebase;
 * `strict` turns on every rule. Both need type information (typescript-eslint `projectService`).
 */
import type { TSESLint } from "@typescript-eslint/utils";
import { rules } from "./rules";

/** Rules on in `recommended`, with their severity. Keep in step with each rule's `meta.docs.recommended`. */
export function recommendedRules(): Record<string, TSESLint.SharedConfig.RuleEntry> {
  const out: Record<string, TSESLint.SharedConfig.RuleEntry> = {};
  for (const [name, rule] of Object.entries(rules)) {
    if ((rule.meta.docs as { recommended?: boolean } | undefined)?.recommended) out[`ctxkit/${name}`] = "error";
  }
  return out;
}

export function strictRules(): Record<string, TSESLint.SharedConfig.RuleEntry> {
  const out: Record<string, TSESLint.SharedConfig.RuleEntry> = {};
  for (const name of Object.keys(rules)) out[`ctxkit/${name}`] = "error";
  return out;
}
