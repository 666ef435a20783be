import { ESLintUtils } from "@typescript-eslint/utils";

/** Extra `meta.docs` fields every ctxkit rule declares. */
export interface CtxkitRuleDocs {
  /** Whether the rule is on in the `recommended` config (`strict` turns on every rule). */
  recommended?: boolean;
  /** Every ctxkit rule asks the type checker; kept explicit for docs and tooling. */
  requiresTypeChecking: true;
}

/** Where each rule's documentation lives; the docs test checks that the file exists. */
export const DOCS_BASE = "https://github.com/ctxkit/ctxkit/blob/main/eslint-plugin/docs/rules/";

/** The one rule factory: ties every rule to its doc page. */
export const createRule = ESLintUtils.RuleCreator<CtxkitRuleDocs>((name) => `${DOCS_BASE}${name}.md`);
