/** An in-memory {@link LspClient}: records what the core sends, answers `workspace/configuration` with `settings`. */
import type { PublishDiagnosticsParams, WorkspaceEdit } from "vscode-languageserver";
import type { LspClient, MessageLevel } from "../../server/src/client";
import { CtxkitServer, type ServerOptions } from "../../server/src/server";
import type { StatusParams } from "../../server/src/shared/status";
import { tempWorkspace, type TempWorkspace } from "./workspace";

export class MemoryClient implements LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly shown: { level: MessageLevel; message: string }[] = [];
  readonly logs: { level: MessageLevel; message: string }[] = [];
  readonly statuses: StatusParams[] = [];
  readonly edits: WorkspaceEdit[] = [];
  refreshes = 0;
  settings: unknown = undefined;

  publishDiagnostics(params: PublishDiagnosticsParams): void {
    this.published.push(params);
  }
  async refreshDiagnostics(): Promise<void> {
    this.refreshes++;
  }
  showMessage(level: MessageLevel, message: string): void {
    this.shown.push({ level, message });
  }
  log(level: MessageLevel, message: string): void {
    this.logs.push({ level, message });
  }
  status(params: StatusParams): void {
    this.statuses.push(params);
  }
  async getConfiguration(scopeUris: (string | undefined)[]): Promise<unknown[]> {
    return scopeUris.map(() => this.settings);
  }
  async applyEdit(_label: string, edit: WorkspaceEdit): Promise<{ applied: boolean }> {
    this.edits.push(edit);
    return { applied: true };
  }

  /** The last diagnostics pushed for `uri`. */
  lastFor(uri: string): PublishDiagnosticsParams | undefined {
    return [...this.published].reverse().find((p) => p.uri === uri);
  }
}

export const PULL_CAPS = {
  textDocument: {
    diagnostic: { dynamicRegistration: false },
    codeAction: { dataSupport: true, resolveSupport: { properties: ["edit"] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } },
    publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
  },
  workspace: { configuration: true, diagnostics: { refreshSupport: true } },
};

/** Neovim 0.7's shape: push only, no configuration pull. */
export const PUSH_CAPS = {
  textDocument: {
    codeAction: { dataSupport: true, resolveSupport: { properties: ["edit"] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } },
    publishDiagnostics: { relatedInformation: true },
  },
  workspace: {},
};

export interface Harness {
  ws: TempWorkspace;
  client: MemoryClient;
  server: CtxkitServer;
  open(rel: string, text?: string): void;
  edit(rel: string, text: string): void;
  close(rel: string): void;
  dispose(): void;
}

export async function harness(files: Record<string, string>, caps: object, options: ServerOptions & { settings?: unknown; tsconfig?: string | null } = {}): Promise<Harness> {
  const ws = tempWorkspace(files, { tsconfig: options.tsconfig });
  const client = new MemoryClient();
  client.settings = options.settings;
  const server = new CtxkitServer(client, { pushDelayMs: 0, ...options });
  server.initialize({ processId: null, rootUri: ws.uri(""), capabilities: caps, workspaceFolders: [{ uri: ws.uri(""), name: "ws" }] });
  await server.initialized();
  const versions = new Map<string, number>();
  return {
    ws,
    client,
    server,
    open(rel, text) {
      versions.set(rel, 1);
      server.didOpen({ textDocument: { uri: ws.uri(rel), languageId: "typescript", version: 1, text: text ?? ws.read(rel) } });
    },
    edit(rel, text) {
      const v = (versions.get(rel) ?? 1) + 1;
      versions.set(rel, v);
      server.didChange({ textDocument: { uri: ws.uri(rel), version: v }, contentChanges: [{ text }] });
    },
    close(rel) {
      server.didClose({ textDocument: { uri: ws.uri(rel) } });
    },
    dispose() {
      server.shutdown();
      ws.remove();
    },
  };
}

/** Polls `test` until it returns a value; never sleeps a fixed time. */
export async function until<T>(test: () => T | undefined | false, what: string, timeoutMs = 15000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = test();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export { CtxkitServer };
