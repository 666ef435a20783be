/**
 * The thin connection: binds LSP messages to {@link CtxkitServer} and implements {@link LspClient} over the
 * connection. No logic lives here beyond making sure no handler ever throws out of the connection.
 */
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  MessageType,
  ResponseError,
  type CancellationToken,
  type Connection,
} from "vscode-languageserver";
import type { LspClient, MessageLevel } from "./client";
import { CtxkitServer, errorText, type ServerOptions } from "./server";
import { CtxkitSettings } from "./shared/settings";
import { StatusNotification } from "./shared/status";

const LEVEL: Record<MessageLevel, MessageType> = {
  error: MessageType.Error,
  warning: MessageType.Warning,
  info: MessageType.Info,
  log: MessageType.Log,
};

export function connectionClient(connection: Connection): LspClient {
  return {
    publishDiagnostics: (params) => void connection.sendDiagnostics(params).catch(() => undefined),
    refreshDiagnostics: () => connection.languages.diagnostics.refresh(),
    showMessage: (level, message) => void connection.sendNotification("window/showMessage", { type: LEVEL[level], message }).catch(() => undefined),
    log: (level, message) => void connection.sendNotification("window/logMessage", { type: LEVEL[level], message }).catch(() => undefined),
    getConfiguration: (scopeUris) =>
      connection.workspace.getConfiguration(scopeUris.map((scopeUri) => (scopeUri ? { scopeUri, section: CtxkitSettings.section } : { section: CtxkitSettings.section }))) as Promise<unknown[]>,
    status: (params) => void connection.sendNotification(StatusNotification.method, params).catch(() => undefined),
    applyEdit: (label, edit) => connection.workspace.applyEdit({ label, edit }),
  };
}

/** A request handler's error as an LSP error response: ours pass through, anything else is an internal error. */
function asResponseError(method: string, e: unknown): ResponseError<unknown> {
  if (e instanceof ResponseError) return e;
  return new ResponseError(ErrorCodes.InternalError, `${method} failed: ${errorText(e)}`);
}

export function bindConnection(connection: Connection, options: ServerOptions = {}): CtxkitServer {
  const client = connectionClient(connection);
  const server = new CtxkitServer(client, options);
  let canWatch = false;
  let canRegisterConfig = false;

  const request =
    <P, R>(method: string, fn: (params: P, token: CancellationToken) => R | Promise<R>) =>
    async (params: P, token: CancellationToken): Promise<R> => {
      try {
        return await fn(params, token);
      } catch (e) {
        if (!(e instanceof ResponseError)) client.log("error", `${method}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        // vscode-jsonrpc answers a handler result that is a ResponseError with an error response.
        return asResponseError(method, e) as never;
      }
    };
  const notification =
    <P>(method: string, fn: (params: P) => void | Promise<void>) =>
    (params: P): void => {
      try {
        const done = fn(params);
        if (done instanceof Promise) done.catch((e: unknown) => client.log("error", `${method}: ${errorText(e)}`));
      } catch (e) {
        client.log("error", `${method}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    };

  connection.onInitialize(
    request("initialize", (params) => {
      canWatch = params.capabilities?.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
      canRegisterConfig = params.capabilities?.workspace?.didChangeConfiguration?.dynamicRegistration === true;
      return server.initialize(params);
    }),
  );
  connection.onInitialized(
    notification("initialized", async () => {
      if (canRegisterConfig) await connection.client.register(DidChangeConfigurationNotification.type, { section: CtxkitSettings.section });
      if (canWatch) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}" }, { globPattern: "**/tsconfig.json" }],
        });
      }
      await server.initialized();
    }),
  );
  const shutdown = request("shutdown", () => server.shutdown());
  connection.onShutdown((token) => shutdown(undefined, token));
  connection.onDidOpenTextDocument(notification("textDocument/didOpen", (p) => server.didOpen(p)));
  connection.onDidChangeTextDocument(notification("textDocument/didChange", (p) => server.didChange(p)));
  connection.onDidSaveTextDocument(notification("textDocument/didSave", (p) => server.didSave(p)));
  connection.onDidCloseTextDocument(notification("textDocument/didClose", (p) => server.didClose(p)));
  connection.onDidChangeWatchedFiles(notification("workspace/didChangeWatchedFiles", (p) => server.didChangeWatchedFiles(p)));
  connection.onDidChangeConfiguration(notification("workspace/didChangeConfiguration", (p) => server.didChangeConfiguration(p)));
  connection.languages.diagnostics.on(request("textDocument/diagnostic", (p, token) => server.documentDiagnostic(p, token)));
  connection.onCodeAction(request("textDocument/codeAction", (p, token) => server.codeAction(p, token)));
  connection.onCodeActionResolve(request("codeAction/resolve", (p, token) => server.codeActionResolve(p, token)));
  connection.onExecuteCommand(request("workspace/executeCommand", (p, token) => server.executeCommand(p, token)));
  return server;
}
