/**
 * Commands the language server executes (`workspace/executeCommand`), shared by the server and the
 * VS Code extension.
 *
 * The VS Code command `ctxkit.threadCtx` (palette and editor context menu) sends
 * `workspace/executeCommand` with `ThreadCtxCommand.id` and one `ThreadCtxCommand.Arguments`; the server
 * computes the edit and applies it with `workspace/applyEdit`, or answers with a refusal.
 *
 * The server-side id differs from the VS Code command id on purpose: vscode-languageclient registers every
 * command of the server's `executeCommandProvider` as a VS Code command of the same id, which would clash
 * with the extension's own `ctxkit.threadCtx`.
 */
export namespace ThreadCtxCommand {
  export const id = "ctxkit.server.threadCtx";

  export interface Arguments {
    textDocument: { uri: string; version?: number };
    /** A position inside the function to thread a context through (zero-based, UTF-16, as LSP). */
    position: { line: number; character: number };
    /** `"single"` (the default): thread through that function; `"upChain"`: also up its call chain. */
    variant?: "single" | "upChain";
  }

  /** The command's result: applied, or refused with a reason the editor shows to the user. */
  export type Result = { applied: true; files: string[] } | { applied: false; reason: string };

  export function isArguments(value: unknown): value is Arguments {
    if (typeof value !== "object" || value === null) return false;
    const v = value as { textDocument?: { uri?: unknown }; position?: { line?: unknown; character?: unknown }; variant?: unknown };
    return typeof v.textDocument?.uri === "string" &&
      typeof v.position?.line === "number" && typeof v.position.character === "number" &&
      (v.variant === undefined || v.variant === "single" || v.variant === "upChain");
  }
}
