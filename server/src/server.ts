/**
 * `CtxkitServer`: the language server's core. The connection file (./connection.ts) only binds LSP messages to the
 * methods here; everything the server sends goes through {@link LspClient}, so tests drive this class directly.
 *
 * Data path: open documents (./documents.ts) feed one `ts.LanguageService` per tsconfig (./projects.ts); a lint of
 * a file runs the plugin's rules through ESLint's `Linter` on that service's program (./lint.ts); the result, cached
 * per document version and settings generation, becomes LSP diagnostics (./diagnostics.ts) and code actions.
 * Diagnostics are pulled (`textDocument/diagnostic`) where the client can, pushed (`publishDiagnostics`) otherwise.
 * When a file changes, every open file that imports it (directly or not) is re-checked.
 *
 * ## Extra code actions
 * Code actions come from providers (`CodeActionProvider`, ./codeActions/types.ts). The list is built in
 * `defaultCodeActionProviders()` (./codeActions/index.ts): add a provider there (or pass `codeActionProviders` in
 * {@link ServerOptions}). A provider offers cheap actions in `provideCodeActions` with `data.provider` set to its
 * `id`, and computes the edit in `resolveCodeAction`; the server checks the document version in `data` before it
 * calls resolve (a stale version gets no edit), resolves right away for clients without resolve support, and
 * routes `workspace/executeCommand` for the provider's `commands` to its `executeCommand`.
 */
import * as path from "node:path";
import type { Context } from "ctxkit";
import type ts from "typescript";
import {
  DocumentDiagnosticReportKind,
  ErrorCodes,
  FileChangeType,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type DidChangeConfigurationParams,
  type DidChangeTextDocumentParams,
  type DidChangeWatchedFilesParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type DidSaveTextDocumentParams,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type ExecuteCommandParams,
  type InitializeParams,
  type InitializeResult,
  type Range,
  type TextDocumentContentChangeEvent,
} from "vscode-languageserver";
import { checkCancelled, checkpoint, rootContext, tokenScope } from "./cancel";
import { ClientFeatures, type LspClient } from "./client";
import { defaultCodeActionProviders } from "./codeActions";
import type { ActionData, CodeActionProvider, LintedFile, WorkspaceView } from "./codeActions/types";
import { rangesOverlap, SOURCE, toDiagnostic } from "./diagnostics";
import { OpenDocuments, pathToUri, uriToPath } from "./documents";
import { LintEngine, rulesFromSettings, type LintOutcome } from "./lint";
import { lintBasis, mergePartial, planPartialLint, type LintBasis } from "./partialLint";
import { ImportGraph, isLintable, ProjectService, type Project } from "./projects";
import { CtxkitSettings } from "./shared/settings";
import { workspaceProjects } from "./threadCtx/workspaceProjects";
import type { StatusParams } from "./shared/status";

export interface ServerOptions {
  /** Code-action providers; default {@link defaultCodeActionProviders}. */
  codeActionProviders?: CodeActionProvider[];
  /** Delay before pushed diagnostics are recomputed after an edit (coalesces fast typing). Default 20 ms. */
  pushDelayMs?: number;
  /** Force the push model even when the client could pull (tests). */
  forcePush?: boolean;
  /** Re-lint only the statements an edit can change, where that is safe (./partialLint.ts). Default true. */
  partialLint?: boolean;
}

interface CacheEntry extends LintedFile {
  generation: number;
  /** Every file this one imports, directly or not: a change to one of them makes this entry stale. */
  dependencies: Set<string>;
  resultId: string;
}

/** Counters tests and the benchmark read. */
export interface ServerStats {
  lints: number;
  cacheHits: number;
  cancelled: number;
  pushes: number;
  /** Lints that re-ran the rules only on the statements an edit could change (./partialLint.ts). */
  partialLints: number;
}

export const SERVER_NAME = "ctxkit-language-server";
export const SERVER_VERSION = "0.1.0";

export class CtxkitServer {
  readonly stats: ServerStats = { lints: 0, cacheHits: 0, cancelled: 0, pushes: 0, partialLints: 0 };
  private features = ClientFeatures.from(undefined);
  private readonly docs = new OpenDocuments();
  private projects: ProjectService | undefined;
  private readonly graph = new ImportGraph();
  private settings = CtxkitSettings.defaults();
  private engine: LintEngine;
  private generation = 0;
  private resultCounter = 0;
  private readonly cache = new Map<string, CacheEntry>();
  /** Per open file, what its last lint saw: the next edit may re-lint only what it changed. */
  private readonly bases = new Map<string, LintBasis>();
  private readonly providers: CodeActionProvider[];
  private readonly pushDelayMs: number;
  private readonly forcePush: boolean;
  private readonly partialLint: boolean;
  private pushQueue = new Set<string>();
  private pushTimer: NodeJS.Timeout | undefined;
  private pushRun: { cancel(): void } | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly shownProblems = new Set<string>();
  private shutDown = false;
  private settingsProblem: string | undefined;

  constructor(
    private readonly client: LspClient,
    options: ServerOptions = {},
  ) {
    this.providers = options.codeActionProviders ?? defaultCodeActionProviders();
    this.pushDelayMs = options.pushDelayMs ?? 20;
    this.forcePush = options.forcePush ?? false;
    this.partialLint = options.partialLint ?? true;
    this.engine = new LintEngine(rulesFromSettings(this.settings).rules);
  }

  /** Whether diagnostics are pulled by the client (else the server pushes them). */
  get pullMode(): boolean {
    return this.features.pullDiagnostics && !this.forcePush;
  }

  // ---------------------------------------------------------------------------------------------- lifecycle

  initialize(params: InitializeParams): InitializeResult {
    this.features = ClientFeatures.from(params.capabilities);
    const roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
    const rootUri = params.rootUri ? uriToPath(params.rootUri) : undefined;
    const root = roots[0] ?? rootUri ?? (typeof params.rootPath === "string" ? params.rootPath : undefined) ?? process.cwd();
    this.projects = new ProjectService(this.docs, path.normalize(root), {
      problem: (message) => this.problem(message),
      log: (message) => this.client.log("info", message),
    });
    const initialSettings = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
    if (initialSettings !== undefined) this.applySettings(initialSettings);
    const kinds = [...new Set(this.providers.flatMap((p) => p.kinds))];
    const commands = this.providers.flatMap((p) => p.commands ?? []);
    const result: InitializeResult = {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: kinds, resolveProvider: true },
        workspace: { workspaceFolders: { supported: true, changeNotifications: false } },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
    if (commands.length > 0) result.capabilities.executeCommandProvider = { commands };
    if (this.pullMode) {
      result.capabilities.diagnosticProvider = { identifier: SOURCE, interFileDependencies: true, workspaceDiagnostics: false };
    }
    return result;
  }

  /** After `initialized`: reads the settings from the client (when it answers `workspace/configuration`). */
  async initialized(): Promise<void> {
    if (this.features.configuration) await this.pullSettings();
    this.sendStatus();
  }

  /** The state for `ctxkit/status`: a warning while a tsconfig cannot be read or a setting is wrong. */
  private sendStatus(lastValidation?: StatusParams["lastValidation"]): void {
    const broken = this.projects?.projects().find((p) => p.configError !== undefined);
    const message = broken ? `${broken.configFile}: ${broken.configError}` : this.settingsProblem;
    const params: StatusParams = message ? { state: "warning", message } : { state: "ok" };
    if (lastValidation) params.lastValidation = lastValidation;
    this.client.status(params);
  }

  shutdown(): void {
    this.shutDown = true;
    clearTimeout(this.pushTimer);
    clearTimeout(this.refreshTimer);
    this.pushRun?.cancel();
    this.projects?.dispose();
    this.cache.clear();
    this.bases.clear();
  }

  // ---------------------------------------------------------------------------------------------- settings

  /** `workspace/didChangeConfiguration`: settings sent inline are used; otherwise they are asked for again. */
  async didChangeConfiguration(params: DidChangeConfigurationParams): Promise<void> {
    const inline = (params?.settings as Record<string, unknown> | null | undefined)?.[CtxkitSettings.section];
    if (inline !== undefined) this.applySettings(inline);
    else if (this.features.configuration) await this.pullSettings();
    else this.applySettings(undefined);
  }

  private async pullSettings(): Promise<void> {
    try {
      const [raw] = await this.client.getConfiguration([undefined]);
      this.applySettings(raw);
    } catch (e) {
      this.client.log("warning", `workspace/configuration failed (${errorText(e)}); keeping the current settings.`);
    }
  }

  /** Validates and applies raw `ctxkit` settings; every diagnostic is recomputed with the new rules. */
  applySettings(raw: unknown): void {
    const { settings, problems } = CtxkitSettings.validate(raw);
    const rules = rulesFromSettings(settings);
    for (const p of [...problems, ...rules.problems]) this.problem(p);
    this.settingsProblem = [...problems, ...rules.problems][0];
    this.settings = settings;
    this.engine = new LintEngine(rules.rules);
    this.generation++;
    this.cache.clear();
    this.everythingChanged();
  }

  currentSettings(): CtxkitSettings {
    return this.settings;
  }

  // ---------------------------------------------------------------------------------------------- documents

  didOpen(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params?.textDocument ?? {};
    const fileName = uriToPath(uri);
    if (!fileName || typeof text !== "string" || typeof version !== "number") return;
    this.docs.open(uri, fileName, languageId, version, text);
    this.fileChanged(fileName, "opened");
  }

  didChange(params: DidChangeTextDocumentParams): void {
    const fileName = uriToPath(params?.textDocument?.uri);
    if (!fileName || !this.docs.get(fileName)) return;
    const version = params.textDocument.version;
    if (typeof version !== "number" || !Array.isArray(params.contentChanges) || !params.contentChanges.every(isContentChange)) {
      this.client.log("error", `Ignored a malformed textDocument/didChange for ${params.textDocument.uri}; the document may be out of sync until it is reopened.`);
      return;
    }
    if (!this.docs.change(fileName, version, params.contentChanges)) return;
    this.fileChanged(fileName);
  }

  didSave(params: DidSaveTextDocumentParams): void {
    const fileName = uriToPath(params?.textDocument?.uri);
    if (fileName && path.basename(fileName) === "tsconfig.json") this.fileChanged(fileName);
  }

  didClose(params: DidCloseTextDocumentParams): void {
    const fileName = uriToPath(params?.textDocument?.uri);
    if (!fileName) return;
    const closed = this.docs.close(fileName);
    if (!closed) return;
    this.cache.delete(fileName);
    this.bases.delete(fileName);
    this.pushQueue.delete(fileName);
    if (!this.pullMode) this.client.publishDiagnostics({ uri: closed.uri, diagnostics: [] });
    this.fileChanged(fileName, "closed");
    this.projects?.release(fileName);
  }

  /** `workspace/didChangeWatchedFiles`: files changed on disk outside the editor. */
  didChangeWatchedFiles(params: DidChangeWatchedFilesParams): void {
    for (const change of Array.isArray(params?.changes) ? params.changes : []) {
      const fileName = uriToPath(change?.uri);
      if (!fileName || !this.projects) continue;
      const kind = change.type === FileChangeType.Created ? "created" : change.type === FileChangeType.Deleted ? "deleted" : "changed";
      this.projects.diskChanged(fileName, kind);
      if (kind === "changed" && !fileName.endsWith(".json")) this.invalidateDependents(fileName);
      else this.everythingChanged();
    }
  }

  /** A file's text changed: it and every open file that depends on it are stale. */
  private fileChanged(fileName: string, how: "opened" | "edited" | "closed" = "edited"): void {
    if (!this.projects) return;
    if (path.basename(fileName) === "tsconfig.json") {
      this.projects.diskChanged(fileName, "changed");
      this.everythingChanged();
      return;
    }
    this.projects.documentChanged(fileName, how);
    this.invalidateDependents(fileName);
  }

  private invalidateDependents(fileName: string): void {
    const stale = new Set<string>([fileName]);
    for (const [f, entry] of this.cache) {
      if (f === fileName || entry.dependencies.has(fileName)) stale.add(f);
    }
    for (const f of stale) this.cache.delete(f);
    const others = [...stale].filter((f) => f !== fileName && this.docs.get(f));
    if (this.pullMode) {
      // The client pulls the edited document itself; the others need a refresh.
      if (others.length > 0) this.scheduleRefresh();
    } else {
      for (const f of stale) if (this.docs.get(f)) this.pushQueue.add(f);
      this.schedulePush();
    }
  }

  private everythingChanged(): void {
    this.cache.clear();
    if (this.pullMode) {
      if (this.docs.size > 0) this.scheduleRefresh();
    } else {
      for (const d of this.docs.all()) this.pushQueue.add(d.fileName);
      if (this.pushQueue.size > 0) this.schedulePush();
    }
  }

  // ---------------------------------------------------------------------------------------------- diagnostics

  /** `textDocument/diagnostic` (the pull model). */
  async documentDiagnostic(params: DocumentDiagnosticParams, token?: CancellationToken): Promise<DocumentDiagnosticReport> {
    const scope = tokenScope(rootContext(), token);
    try {
      const fileName = uriToPath(params?.textDocument?.uri);
      if (!fileName || !this.docs.get(fileName)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      const file = await this.lintedFile(scope.ctx, fileName);
      if (!file) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      if (params.previousResultId !== undefined && params.previousResultId === file.resultId) {
        return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: file.resultId };
      }
      return { kind: DocumentDiagnosticReportKind.Full, resultId: file.resultId, items: file.diagnostics };
    } catch (e) {
      if (e instanceof ResponseError) this.stats.cancelled++;
      throw e;
    } finally {
      scope.cancel();
    }
  }

  /**
   * The lint result of an open document at its current version, from the cache when nothing it depends on changed.
   * Checks `ctx` and yields to the event loop before the expensive steps, so a cancel or a newer edit is seen.
   */
  private async lintedFile(ctx: Context, fileName: string): Promise<CacheEntry | undefined> {
    const open = this.docs.get(fileName);
    if (!open || !this.projects) return undefined;
    const cached = this.cache.get(fileName);
    if (cached && cached.version === open.doc.version && cached.generation === this.generation) {
      if (!this.projects.refreshConfigsFor(fileName)) {
        this.stats.cacheHits++;
        return cached;
      }
      this.everythingChanged();
    }
    await checkpoint(ctx);
    return this.lintNow(ctx, fileName);
  }

  /** Lints synchronously (after the caller's checkpoint). */
  private lintNow(ctx: Context, fileName: string): CacheEntry | undefined {
    const open = this.docs.get(fileName);
    if (!open || !this.projects) return undefined;
    const version = open.doc.version;
    const base = { uri: open.uri, fileName, version, doc: open.doc, generation: this.generation };
    if (!this.settings.enable || !isLintable(fileName) || !this.engine.anyRuleOn) {
      return this.store({ ...base, problems: [], diagnostics: [], dependencies: new Set() });
    }
    if (this.projects.refreshConfigsFor(fileName)) this.everythingChanged();
    const project = this.projects.projectFor(fileName);
    const started = performance.now();
    let program: ts.Program;
    try {
      program = project.program();
    } catch (e) {
      // TypeScript itself failed on this text (a parser assertion on odd input): no diagnostics for this version.
      this.client.log("error", `TypeScript failed on ${fileName} (v${version}): ${errorText(e)}`);
      return this.store({ ...base, problems: [], diagnostics: [], dependencies: new Set() });
    }
    checkCancelled(ctx);
    const programMs = performance.now() - started;
    const { outcome, mode, phases } = this.lintProgramFile(program, fileName, open.doc.getText());
    this.stats.lints++;
    if (outcome.failure) this.client.log("warning", `ctxkit could not lint ${fileName}: ${outcome.failure}`);
    const diagnostics = outcome.problems.map((p, i) => toDiagnostic(p, i, open.uri, version, fileName));
    const beforeDeps = performance.now();
    const dependencies = this.graph.dependencies(program, fileName);
    const now = performance.now();
    const durationMs = round1(now - started);
    if (this.settings.trace.server === "verbose") {
      // Where the time went: the program update, the partial-lint plan, the ESLint run, the next basis, the import graph.
      const parts = `program ${round1(programMs)}, plan ${round1(phases.plan)}, eslint ${round1(phases.lint)}, basis ${round1(phases.basis)}, deps ${round1(now - beforeDeps)}`;
      this.client.log("log", `linted ${fileName} (v${version}, ${mode}) in ${durationMs} ms (${parts}): ${diagnostics.length} problem(s)`);
    }
    this.sendStatus({ uri: open.uri, at: new Date().toISOString(), durationMs, diagnostics: diagnostics.length });
    return this.store({ ...base, problems: outcome.problems, diagnostics, dependencies });
  }

  /**
   * Lints one file of `program`: only the statements the last edit could change when that is safe (./partialLint.ts),
   * else the whole file. `mode` says which, and why not partial, for the verbose trace.
   */
  private lintProgramFile(program: ts.Program, fileName: string, text: string): { outcome: LintOutcome; mode: string; phases: { plan: number; lint: number; basis: number } } {
    const basis = this.partialLint ? this.bases.get(fileName) : undefined;
    const sourceFile = program.getSourceFile(fileName);
    let outcome: LintOutcome | undefined;
    let mode = "full";
    const t0 = performance.now();
    let t1 = t0;
    if (basis && sourceFile && sourceFile.text === text) {
      const plan = planPartialLint(basis, program, fileName, this.generation);
      t1 = performance.now();
      if (plan === "unchanged") {
        outcome = basis.outcome;
        mode = "unchanged text";
      } else if ("slice" in plan) {
        const merged = mergePartial(basis, plan, sourceFile, this.engine.lint(program, fileName, text, plan));
        if ("problems" in merged) {
          outcome = merged;
          this.stats.partialLints++;
          mode = `partial: ${plan.dirty.length} statement(s) or class member(s)`;
        } else {
          mode = `full: ${merged.reason}`;
        }
      } else {
        mode = `full: ${plan.reason}`;
      }
    }
    outcome ??= this.engine.lint(program, fileName, text);
    const t2 = performance.now();
    if (sourceFile && sourceFile.text === text && outcome.failure === undefined) {
      this.bases.set(fileName, lintBasis(sourceFile, program.getSourceFiles(), this.generation, outcome));
    } else {
      this.bases.delete(fileName);
    }
    return { outcome, mode, phases: { plan: t1 - t0, lint: t2 - t1, basis: performance.now() - t2 } };
  }

  private store(entry: Omit<CacheEntry, "resultId">): CacheEntry {
    const full: CacheEntry = { ...entry, resultId: `${entry.version}.${entry.generation}.${++this.resultCounter}` };
    this.cache.set(entry.fileName, full);
    return full;
  }

  private scheduleRefresh(): void {
    if (!this.features.diagnosticRefresh || this.refreshTimer || this.shutDown) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.client.refreshDiagnostics().catch((e: unknown) => this.client.log("warning", `workspace/diagnostic/refresh failed: ${errorText(e)}`));
    }, this.pushDelayMs);
  }

  private schedulePush(): void {
    if (this.shutDown) return;
    this.pushRun?.cancel(); // a newer change: stop the loop that is running, start again after the delay
    clearTimeout(this.pushTimer);
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      void this.runPushQueue();
    }, this.pushDelayMs);
  }

  /** The push model's loop: lints each queued open file and publishes, yielding between files. */
  private async runPushQueue(): Promise<void> {
    const scope = tokenScope(rootContext(), undefined);
    this.pushRun = scope;
    try {
      while (this.pushQueue.size > 0) {
        await checkpoint(scope.ctx);
        const [fileName] = this.pushQueue;
        this.pushQueue.delete(fileName!);
        const entry = this.lintNow(scope.ctx, fileName!);
        if (!entry) continue;
        this.stats.pushes++;
        this.client.publishDiagnostics({ uri: entry.uri, version: entry.version, diagnostics: entry.diagnostics });
      }
    } catch (e) {
      if (!(e instanceof ResponseError)) this.client.log("error", `diagnostics failed: ${errorText(e)}`);
    } finally {
      if (this.pushRun === scope) this.pushRun = undefined;
      scope.cancel();
    }
  }

  /** Resolves when no pushed diagnostics are pending (tests, benchmark). */
  async idle(): Promise<void> {
    while (this.pushTimer || this.pushRun || this.refreshTimer) await new Promise<void>((r) => setTimeout(r, 2));
  }

  // ---------------------------------------------------------------------------------------------- code actions

  private workspaceView(): WorkspaceView {
    const projects = this.projects!;
    return {
      projectFor: (f) => projects.projectFor(f),
      openVersion: (f) => this.docs.get(f)?.doc.version ?? null,
      text: (f) => projects.files.text(f),
      uriOf: (f) => this.docs.get(f)?.uri ?? pathToUri(f),
      settings: () => this.settings,
      projects: () => workspaceProjects(projects),
    };
  }

  async codeAction(params: CodeActionParams, token?: CancellationToken): Promise<CodeAction[]> {
    const scope = tokenScope(rootContext(), token);
    try {
      const fileName = uriToPath(params?.textDocument?.uri);
      if (!fileName || !isRange(params.range) || !this.projects) return [];
      const file = await this.lintedFile(scope.ctx, fileName);
      if (!file) return [];
      const given: unknown[] = Array.isArray(params.context?.diagnostics) ? params.context.diagnostics : [];
      const fromContext = given.filter((d): d is Diagnostic => (d as Diagnostic | null)?.source === SOURCE && isRange((d as Diagnostic).range));
      const diagnostics: Diagnostic[] = fromContext.length > 0 ? fromContext : file.diagnostics.filter((d) => rangesOverlap(d.range, params.range));
      const project = this.projects.projectFor(fileName);
      const program = guarded("TypeScript", () => project.program());
      const request = { params, file, project, program, diagnostics, workspace: this.workspaceView(), ctx: scope.ctx };
      const actions: CodeAction[] = [];
      for (const provider of this.providers) {
        checkCancelled(scope.ctx);
        try {
          actions.push(...(await provider.provideCodeActions(request)));
        } catch (e) {
          if (e instanceof ResponseError) throw e;
          this.client.log("error", `code actions of ${provider.id} failed: ${errorText(e)}`);
        }
      }
      if (this.features.codeActionResolve) return actions;
      // Clients without resolve support get the edits at once.
      const resolved: CodeAction[] = [];
      for (const action of actions) resolved.push(await this.resolveWith(scope.ctx, action));
      return resolved;
    } catch (e) {
      if (e instanceof ResponseError) this.stats.cancelled++;
      throw e;
    } finally {
      scope.cancel();
    }
  }

  async codeActionResolve(action: CodeAction, token?: CancellationToken): Promise<CodeAction> {
    const scope = tokenScope(rootContext(), token);
    try {
      return await this.resolveWith(scope.ctx, action);
    } finally {
      scope.cancel();
    }
  }

  private async resolveWith(ctx: Context, action: CodeAction): Promise<CodeAction> {
    const data = action?.data as Partial<ActionData> | undefined;
    if (!data || typeof data.provider !== "string" || typeof data.uri !== "string" || typeof data.version !== "number") {
      // An action offered complete (with its edit, a command, or disabled with a reason) resolves to itself.
      if (action && typeof action === "object" && (action.edit || action.command || action.disabled)) return action;
      throw new ResponseError(ErrorCodes.InvalidParams, "This code action carries no ctxkit data (provider, uri, version) to resolve it with.");
    }
    const provider = this.providers.find((p) => p.id === data.provider);
    if (!provider) throw new ResponseError(ErrorCodes.InvalidParams, `No code-action provider "${data.provider}".`);
    const fileName = uriToPath(data.uri);
    const open = fileName ? this.docs.get(fileName) : undefined;
    if (!fileName || !open || open.doc.version !== data.version || !this.projects) {
      const now = open ? `it is at version ${open.doc.version}` : "it is not open";
      return { ...action, edit: undefined, disabled: { reason: `The document changed since this action was offered (version ${data.version}; ${now}); ask for code actions again.` } };
    }
    const file = await this.lintedFile(ctx, fileName);
    if (!file) return { ...action, disabled: { reason: "The document is not open." } };
    const project: Project = this.projects.projectFor(fileName);
    const program = guarded("TypeScript", () => project.program());
    return guardedAsync(`${provider.id} resolve`, async () =>
      provider.resolveCodeAction(action, { data: data as ActionData, file, project, program, workspace: this.workspaceView(), ctx }),
    );
  }

  async executeCommand(params: ExecuteCommandParams, token?: CancellationToken): Promise<unknown> {
    const provider = this.providers.find((p) => p.commands?.includes(params?.command) && p.executeCommand);
    if (!provider || !this.projects) throw new ResponseError(ErrorCodes.InvalidParams, `Unknown command "${params?.command}".`);
    const scope = tokenScope(rootContext(), token);
    try {
      return await guardedAsync(params.command, async () => provider.executeCommand!({
        command: params.command,
        arguments: params.arguments ?? [],
        workspace: this.workspaceView(),
        ctx: scope.ctx,
        applyEdit: async (label, edit) => (await this.client.applyEdit(label, edit)).applied,
      }));
    } finally {
      scope.cancel();
    }
  }

  // ---------------------------------------------------------------------------------------------- messages

  /** Shows a problem once (the same sentence is not repeated), and logs it. */
  private problem(message: string): void {
    this.client.log("warning", message);
    if (this.shownProblems.has(message)) return;
    this.shownProblems.add(message);
    this.client.showMessage("warning", message);
  }
}

/** Runs `fn`; an error that is not an LSP error becomes an InternalError response naming `what`. */
function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    throw new ResponseError(ErrorCodes.InternalError, `${what} failed: ${errorText(e)}`);
  }
}

async function guardedAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    throw new ResponseError(ErrorCodes.InternalError, `${what} failed: ${errorText(e)}`);
  }
}

function isPosition(p: unknown): boolean {
  const q = p as { line?: unknown; character?: unknown } | null;
  return typeof q === "object" && q !== null && Number.isInteger(q.line) && Number.isInteger(q.character);
}

function isRange(r: unknown): r is Range {
  const q = r as { start?: unknown; end?: unknown } | null;
  return typeof q === "object" && q !== null && isPosition(q.start) && isPosition(q.end);
}

/** A full-text change, or a ranged one with a well-formed range. */
function isContentChange(c: unknown): c is TextDocumentContentChangeEvent {
  const q = c as { text?: unknown; range?: unknown } | null;
  return typeof q === "object" && q !== null && typeof q.text === "string" && (q.range === undefined || isRange(q.range));
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

