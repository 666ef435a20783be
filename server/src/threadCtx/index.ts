/**
 * Thread ctx, the engine: a pure library over TypeScript's LanguageService. The server turns its output into
 * LSP (one versioned WorkspaceEdit, or a code action's `disabled.reason`).
 *
 * - {@link findThreadCtxTarget} is cheap (no reference search): call it from `textDocument/codeAction`.
 * - {@link computeThreadCtx} classifies every reference and returns every file's changes, or a refusal:
 *   call it from `codeAction/resolve` and `workspace/executeCommand`.
 * - {@link applyTextChanges} applies one file's changes to its text (tests, benches, and servers that need the
 *   new text).
 */
export { computeThreadCtx, findThreadCtxTarget } from "./engine";
export { computeThreadCtxAcross, type AcrossEdit, type NamedService } from "./across";
export type { ContextForm, Outcome, Refusal, ThreadCtxEdit, ThreadCtxOptions, ThreadCtxTarget, ThreadCtxVariant } from "./types";

import type ts from "typescript";

/** Applies non-overlapping changes (any order) to `text`. */
export function applyTextChanges(text: string, changes: readonly ts.TextChange[]): string {
  // Last first, so earlier offsets stay valid; insertions at one offset keep their given order.
  const sorted = changes.map((c, i) => ({ c, i })).sort((a, b) => b.c.span.start - a.c.span.start || b.i - a.i).map((x) => x.c);
  let out = text;
  for (const c of sorted) out = out.slice(0, c.span.start) + c.newText + out.slice(c.span.start + c.span.length);
  return out;
}

/** The code action titles: "Thread ctx through loadUser", "Thread ctx up the call chain from loadUser". */
export function threadCtxTitle(name: string, variant: "single" | "upChain"): string {
  return variant === "single" ? `Thread ctx through ${name}` : `Thread ctx up the call chain from ${name}`;
}
