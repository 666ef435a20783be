/**
 * The ctxkit VS Code extension: a vscode-languageclient client for the bundled language server
 * (dist/server.js, over IPC), a status bar item with the server's state and last validation, an output
 * channel for the log, and the "Thread ctx" command.
 *
 * Bad input never turns into a crash loop: a server that dies is restarted a few times (RestartPolicy)
 * and then left stopped with a message; what the server reports through `ctxkit/status` (no TypeScript,
 * a broken tsconfig, a setting of the wrong type) is shown in the status bar and logged, and clears when
 * the server reports that it is fixed.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { ThreadCtxCommand } from "../../server/src/shared/commands";
import { StatusNotification, type StatusParams } from "../../server/src/shared/status";
import { RestartPolicy } from "./restartPolicy";
import { accessibleLabel, renderStatus, type ClientState } from "./statusView";

const LANGUAGES = ["typescript", "typescriptreact", "javascript", "javascriptreact"] as const;

class CtxkitExtension implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel("ctxkit", { log: true });
  private readonly item = vscode.window.createStatusBarItem("ctxkit.status", vscode.StatusBarAlignment.Right, 100);
  private readonly restarts = new RestartPolicy();
  private client: LanguageClient | undefined;
  private clientState: ClientState = "stopped";
  private clientMessage: string | undefined;
  private serverStatus: StatusParams | undefined;
  /** Set while we stop the client ourselves, so the close handler does not count it as a crash. */
  private stopping = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.item.name = "ctxkit";
    this.item.command = "ctxkit.showOutput";
    this.render();
    this.item.show();
  }

  async start(): Promise<void> {
    if (!vscode.workspace.getConfiguration("ctxkit").get<unknown>("enable", true)) {
      this.setState("disabled");
      this.output.info("ctxkit.enable is false: the language server is not started.");
      return;
    }
    if (this.client) return;
    // A server that dies before it is initialized is retried here, under the same cap as a crash later on.
    for (;;) {
      const client = this.createClient();
      this.client = client;
      this.setState("starting");
      // start() can also resolve without a running server (it swallows a failed `initialize`), so the
      // state is what counts.
      const failure = await client.start().then(() => undefined, (error: unknown) => error ?? "unknown error");
      if (this.client !== client) return; // stopped or restarted meanwhile
      if (client.isRunning()) return;
      const reason = failure instanceof Error ? failure.message : String(failure ?? "the server exited during initialization");
      this.output.error(`the language server did not start: ${reason}`);
      this.client = undefined;
      this.serverStatus = undefined;
      await client.dispose().catch(() => undefined);
      const decision = this.restarts.crashed();
      this.output.warn(decision.message);
      if (!decision.restart) {
        this.giveUp(decision.message, decision.crashes);
        return;
      }
      void vscode.window.showWarningMessage(decision.message);
    }
  }

  private createClient(): LanguageClient {
    const serverModule = this.context.asAbsolutePath(path.join("dist", "server.js"));
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
    };
    // Set once the server answered `initialize`; a close before that is handled by start().
    let running = false;
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })),
      synchronize: { configurationSection: "ctxkit" },
      outputChannel: this.output,
      initializationFailedHandler: (error: unknown) => {
        this.output.error(`the language server failed to initialize: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      },
      errorHandler: {
        // A broken message is logged; only a closed connection counts as a crash.
        error: (error, _message, count) => {
          this.output.error(`connection error (${count ?? 1}): ${error.message}`);
          return { action: (count ?? 1) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
        },
        closed: () => {
          if (this.stopping || !running || this.client !== client) return { action: CloseAction.DoNotRestart, handled: true };
          const decision = this.restarts.crashed();
          this.output.warn(decision.message);
          this.serverStatus = undefined;
          if (decision.restart) {
            void vscode.window.showWarningMessage(decision.message);
            this.setState("starting");
            return { action: CloseAction.Restart, handled: true };
          }
          this.giveUp(decision.message, decision.crashes);
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient("ctxkit", "ctxkit", serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Running) {
        running = true;
        this.setState("running");
      } else if (e.newState === State.Starting) this.setState("starting");
      else if (this.clientState !== "error" && this.clientState !== "disabled") this.setState("stopped");
    });
    client.onNotification(StatusNotification.method, (params: unknown) => {
      if (!StatusNotification.is(params)) {
        this.output.warn(`ignored a malformed ${StatusNotification.method} notification: ${JSON.stringify(params)}`);
        return;
      }
      const previous = this.serverStatus;
      this.serverStatus = params;
      if (params.state !== previous?.state || params.message !== previous?.message) {
        const line = `server: ${params.state}${params.message ? ` — ${params.message}` : ""}`;
        if (params.state === "error") this.output.error(line);
        else if (params.state === "warning") this.output.warn(line);
        else this.output.info(line);
      }
      this.render();
    });
    return client;
  }

  /** The server died too often: leave it stopped, and say so where the user looks. */
  private giveUp(message: string, crashes: number): void {
    void vscode.window.showErrorMessage(message, "Show Output").then((choice) => {
      if (choice) this.output.show(true);
    });
    this.setState("error", `crashed ${crashes} times; not restarted`);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.serverStatus = undefined;
    if (!client) return;
    this.stopping = true;
    try {
      // A client still starting cannot be stopped yet: let it finish (or fail) first.
      if (client.state === State.Starting) await client.start().catch(() => undefined);
      if (client.needsStop()) await client.stop();
    } catch (error) {
      this.output.warn(`stopping the language server: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.stopping = false;
    }
  }

  async restart(): Promise<void> {
    this.restarts.reset();
    this.clientMessage = undefined;
    await this.stop();
    if (this.clientState !== "disabled") this.setState("stopped");
    await this.start();
  }

  /** `ctxkit.enable` turns the server on and off without a window reload. */
  async onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!e.affectsConfiguration("ctxkit.enable")) return;
    const enabled = vscode.workspace.getConfiguration("ctxkit").get<unknown>("enable", true);
    if (enabled === false) {
      await this.stop();
      this.setState("disabled");
      this.output.info("ctxkit.enable is false: the language server was stopped.");
    } else {
      if (enabled !== true) this.output.warn(`ctxkit.enable should be true or false, not ${JSON.stringify(enabled)}; treating it as true.`);
      if (this.clientState === "disabled") this.setState("stopped");
      await this.start();
    }
  }

  /** The command `ctxkit.threadCtx`: asks the server to thread a context through the function at the cursor. */
  async threadCtx(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !(LANGUAGES as readonly string[]).includes(editor.document.languageId) || editor.document.uri.scheme !== "file") {
      void vscode.window.showInformationMessage("ctxkit: open a TypeScript or JavaScript file and put the cursor inside a function to thread ctx through.");
      return;
    }
    const client = this.client;
    if (!client || !client.isRunning()) {
      void vscode.window.showErrorMessage("ctxkit: the language server is not running; see the ctxkit output.");
      return;
    }
    const document = editor.document;
    const args: ThreadCtxCommand.Arguments = {
      textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri), version: document.version },
      position: client.code2ProtocolConverter.asPosition(editor.selection.active),
    };
    try {
      const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: ThreadCtxCommand.id, arguments: [args] });
      const refusal = refusalReason(result);
      if (refusal !== undefined) {
        this.output.info(`Thread ctx refused: ${refusal}`);
        void vscode.window.showWarningMessage(`ctxkit: cannot thread ctx here: ${refusal}`);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.output.error(`Thread ctx failed: ${reason}`);
      void vscode.window.showErrorMessage(`ctxkit: Thread ctx failed: ${reason}`);
    }
  }

  showOutput(): void {
    this.output.show(true);
  }

  private setState(state: ClientState, message?: string): void {
    this.clientState = state;
    this.clientMessage = message;
    if (message) this.output.error(`language server ${state}: ${message}`);
    this.render();
  }

  private render(): void {
    const view = renderStatus({ client: this.clientState, clientMessage: this.clientMessage, server: this.serverStatus });
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: accessibleLabel(view) };
    this.item.backgroundColor = view.tone === "normal" ? undefined : new vscode.ThemeColor(`statusBarItem.${view.tone}Background`);
  }

  dispose(): void {
    this.item.dispose();
    this.output.dispose();
  }
}

/** The reason of a `{ applied: false, reason }` result; undefined for anything else (applied, or no result). */
function refusalReason(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const r = result as { applied?: unknown; reason?: unknown };
  return r.applied === false ? (typeof r.reason === "string" ? r.reason : "no reason given") : undefined;
}

let extension: CtxkitExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const ext = new CtxkitExtension(context);
  extension = ext;
  context.subscriptions.push(
    ext,
    vscode.commands.registerCommand("ctxkit.threadCtx", () => ext.threadCtx()),
    vscode.commands.registerCommand("ctxkit.restartServer", () => ext.restart()),
    vscode.commands.registerCommand("ctxkit.showOutput", () => ext.showOutput()),
    vscode.workspace.onDidChangeConfiguration((e) => ext.onConfigurationChanged(e)),
  );
  await ext.start();
}

export async function deactivate(): Promise<void> {
  await extension?.stop();
  extension = undefined;
}
