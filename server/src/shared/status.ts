/**
 * The `ctxkit/status` notification: server → client, so an editor can show what the server is doing.
 *
 * Shared by the language server (which sends it) and the VS Code extension (which shows it in the status
 * bar and its output channel). Plain JSON, no library types, so both bundles can import it.
 *
 * The server sends it:
 * - once after `initialized` (state `ok`, or `warning`/`error` with a message when the workspace is odd:
 *   no TypeScript found, a tsconfig that does not parse, a setting of the wrong type);
 * - after each validation of a document, with `lastValidation` filled in;
 * - whenever the state changes (e.g. a broken tsconfig was fixed: back to `ok`, message cleared).
 */

/** `ok`: diagnostics are current. `warning`: working, but something needs the user's eye. `error`: cannot validate. */
export type StatusState = "ok" | "warning" | "error";

export interface StatusParams {
  state: StatusState;
  /** One line for the user, e.g. `tsconfig.json: ';' expected (line 3)`; absent when all is well. */
  message?: string;
  /** The most recent validation, if any. */
  lastValidation?: {
    uri: string;
    /** When it finished, ISO 8601. */
    at: string;
    durationMs: number;
    diagnostics: number;
  };
}

export namespace StatusNotification {
  export const method = "ctxkit/status";

  export function is(value: unknown): value is StatusParams {
    if (typeof value !== "object" || value === null) return false;
    const v = value as Record<string, unknown>;
    return (v.state === "ok" || v.state === "warning" || v.state === "error") &&
      (v.message === undefined || typeof v.message === "string");
  }
}
