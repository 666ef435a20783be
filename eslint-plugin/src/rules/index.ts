/**
 * Every rule of the plugin, keyed by its name (the file name; the rule id is `ctxkit/<name>`).
 * Add a rule here, in `src/configs.ts`, and with a doc in `docs/rules/<name>.md`; the docs test checks all three.
 */
import type { TSESLint } from "@typescript-eslint/utils";
import awaitBeforeDispose from "./await-before-dispose";
import contextFirstParam from "./context-first-param";
import noContextInLoop from "./no-context-in-loop";
import noDroppedContext from "./no-dropped-context";
import noUnboundedAwait from "./no-unbounded-await";
import noNullContext from "./no-null-context";
import noStoredContext from "./no-stored-context";
import requireCancel from "./require-cancel";

export const rules: Record<string, TSESLint.RuleModule<string, readonly unknown[]>> = {
  "await-before-dispose": awaitBeforeDispose as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
  "context-first-param": contextFirstParam as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
  "no-context-in-loop": noContextInLoop as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
  "no-dropped-context": noDroppedContext as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
  "no-unbounded-await": noUnboundedAwait as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
  "no-null-context": noNullContext as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
  "no-stored-context": noStoredContext as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
  "require-cancel": requireCancel as unknown as TSESLint.RuleModule<string, readonly unknown[]>,
};
