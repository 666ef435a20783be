/**
 * The code-action providers the server runs, in the order their actions are listed.
 * To add one: implement `CodeActionProvider` (./types.ts) and add an instance here; its `kinds` and `commands`
 * join the server's capabilities, and `codeAction/resolve` / `workspace/executeCommand` are routed to it by
 * `data.provider` / command name.
 */
import { ThreadCtxProvider } from "../threadCtx/provider";
import { LintFixProvider } from "./lintFixes";
import type { CodeActionProvider } from "./types";

export function defaultCodeActionProviders(): CodeActionProvider[] {
  return [new LintFixProvider(), new ThreadCtxProvider()];
}

export type { CodeActionProvider } from "./types";
