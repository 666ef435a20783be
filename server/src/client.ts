/**
 * Everything the server sends to the editor goes through {@link LspClient}. The connection file implements it over
 * the JSON-RPC connection; tests implement it in memory and look at what was sent.
 */
import type {
  ApplyWorkspaceEditResult,
  ClientCapabilities,
  PublishDiagnosticsParams,
  WorkspaceEdit,
} from "vscode-languageserver";
import type { StatusParams } from "./shared/status";

export type MessageLevel = "error" | "warning" | "info" | "log";

export interface LspClient {
  /** `textDocument/publishDiagnostics` (the push model). */
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  /** `workspace/diagnostic/refresh`: the client pulls the diagnostics of its open documents again. */
  refreshDiagnostics(): Promise<void>;
  /** `window/showMessage`: something the user must see (a broken tsconfig, a setting of the wrong type). */
  showMessage(level: MessageLevel, message: string): void;
  /** `window/logMessage`: the server's log (the editor's output channel). */
  log(level: MessageLevel, message: string): void;
  /** `workspace/configuration` for the `ctxkit` section, one answer per scope URI (`undefined`: the global scope). */
  getConfiguration(scopeUris: (string | undefined)[]): Promise<unknown[]>;
  /** `ctxkit/status` (./shared/status.ts): the server's state and last validation, for an editor's status bar. */
  status(params: StatusParams): void;
  /** `workspace/applyEdit`, for commands that change files. */
  applyEdit(label: string, edit: WorkspaceEdit): Promise<ApplyWorkspaceEditResult>;
}

/** What the server learnt about the client in `initialize`, read by the core to pick pull or push and so on. */
export interface ClientFeatures {
  pullDiagnostics: boolean;
  diagnosticRefresh: boolean;
  configuration: boolean;
  codeActionResolve: boolean;
  codeActionLiterals: boolean;
  relatedInformation: boolean;
  codeDescription: boolean;
  workspaceFolders: boolean;
  didChangeConfigurationDynamic: boolean;
  watchedFilesDynamic: boolean;
}

export namespace ClientFeatures {
  export function from(caps: ClientCapabilities | undefined): ClientFeatures {
    const td = caps?.textDocument;
    const resolveProps = td?.codeAction?.resolveSupport?.properties ?? [];
    return {
      pullDiagnostics: td?.diagnostic !== undefined,
      diagnosticRefresh: caps?.workspace?.diagnostics?.refreshSupport === true,
      configuration: caps?.workspace?.configuration === true,
      codeActionResolve: resolveProps.includes("edit") && td?.codeAction?.dataSupport === true,
      codeActionLiterals: td?.codeAction?.codeActionLiteralSupport !== undefined,
      relatedInformation: td?.publishDiagnostics?.relatedInformation === true || td?.diagnostic !== undefined,
      codeDescription: td?.publishDiagnostics?.codeDescriptionSupport === true || td?.diagnostic !== undefined,
      workspaceFolders: caps?.workspace?.workspaceFolders === true,
      didChangeConfigurationDynamic: caps?.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      watchedFilesDynamic: caps?.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    };
  }
}
