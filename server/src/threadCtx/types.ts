/**
 * The vocabulary of the Thread ctx engine. Plain TypeScript types only: the engine speaks in file names,
 * offsets and `ts.FileTextChanges`; the server converts to LSP.
 */
import type ts from "typescript";
import type { ContextTypeSpec } from "../../../eslint-plugin/src/analysis/contextTypes";

/** `single`: thread through one function; `upChain`: also through every caller that then has to pass `todo()`. */
export type ThreadCtxVariant = "single" | "upChain";

/**
 * The form of the new parameter.
 * - `context`: ctxkit's `Context` as the first parameter, named `ctx` (Go-style). Chosen when a dropped
 *   callee takes a `Context`, on a `todo()` marker, and by default.
 * - `signal`: an `AbortSignal` as the first parameter, named `signal`. Chosen when every dropped callee takes
 *   a signal (as a parameter or as an options-bag property such as fetch's `{ signal }`).
 */
export type ContextForm = "context" | "signal";

export interface ThreadCtxOptions {
  variant?: ThreadCtxVariant;
  /** How many levels of callers "up the call chain" may thread through (the target is level 0). Default 8. */
  maxDepth?: number;
  /** The `contextTypes` option of the rules, so the server and ESLint agree on what a context is. */
  contextTypes?: readonly ContextTypeSpec[];
}

/** What `findThreadCtxTarget` finds cheaply (no reference search): enough for a code action's title. */
export interface ThreadCtxTarget {
  fileName: string;
  /** The function's name as a user reads it: `loadUser`, `UserStore.load`. */
  name: string;
  form: ContextForm;
  /** Offset of the function's name (or of the function node when it has none), for a reference search. */
  namePosition: number;
}

/** The finished edit: every change in every file, never a part of it. */
export interface ThreadCtxEdit {
  target: ThreadCtxTarget;
  changes: ts.FileTextChanges[];
  /** Names of the functions that received a parameter (the target first). */
  threaded: string[];
  /** Callers left with `todo()` in the up-the-chain variant, each with why the chain stopped there. */
  boundaries: { name: string; reason: string }[];
}

export type Refusal = { ok: false; reason: string };
export type Outcome<T> = ({ ok: true } & T) | Refusal;
