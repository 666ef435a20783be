/**
 * Thread ctx as the server's code actions and command: the LSP side of the engine (./engine.ts).
 *
 * - Offered (cheap, `findThreadCtxTarget`) on a `no-dropped-context` / `no-unbounded-await` diagnostic in a
 *   function without a context of its own, and on a `todo()` call, as "Thread ctx through <fn>" and "Thread ctx
 *   up the call chain from <fn>".
 * - Resolved (expensive, `computeThreadCtx`) into ONE `WorkspaceEdit` of `documentChanges`, each with the
 *   editor's version of an open document (`null` for files on disk), so a stale edit is rejected; a refusal
 *   found while resolving becomes `disabled.reason`. The engine runs in every project of the workspace whose
 *   program holds the target's file (callers in other tsconfigs), merged by ./across.ts.
 * - The command `ctxkit.server.threadCtx` (sent by the VS Code command `ctxkit.threadCtx`) computes the same edit
 *   and applies it with `workspace/applyEdit`.
 */
import { race } from "ctxkit";
import { CodeActionKind, type CodeAction, type TextDocumentEdit, type TextEdit, type WorkspaceEdit } from "vscode-languageserver";
import * as path from "node:path";
import ts from "typescript";
import type { ActionData, CodeActionProvider, CodeActionRequest, CommandRequest, ResolveRequest, WorkspaceView } from "../codeActions/types";
import type { Project } from "../projects";
import { uriToPath } from "../documents";
import { ThreadCtxCommand } from "../shared/commands";
import { computeThreadCtxAcross, findThreadCtxTarget, threadCtxTitle, type AcrossEdit, type NamedService, type Outcome, type ThreadCtxEdit, type ThreadCtxOptions, type ThreadCtxVariant } from "./index";
import { nodeAt } from "./functions";
import { ctxkitCalleeName } from "../../../eslint-plugin/src/analysis/ctxkitApi";
import { getContextTypeMatcher } from "../../../eslint-plugin/src/analysis/contextTypes";

/** The rules whose diagnostics Thread ctx is offered on. */
export const THREAD_CTX_RULES: ReadonlySet<string> = new Set(["ctxkit/no-dropped-context", "ctxkit/no-unbounded-await"]);

interface ThreadCtxData extends ActionData {
  provider: "threadCtx";
  /** Offset in the document at `version` where the action was offered. */
  offset: number;
  variant: ThreadCtxVariant;
}

export class ThreadCtxProvider implements CodeActionProvider {
  readonly id = "threadCtx";
  readonly kinds = [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite];
  readonly commands = [ThreadCtxCommand.id];

  provideCodeActions(request: CodeActionRequest): CodeAction[] {
    const { file, program, params } = request;
    const sf = program.getSourceFile(file.fileName);
    if (!sf) return [];
    const options = optionsOf(request.workspace);
    const offers: { offset: number; diagnostic?: (typeof request.diagnostics)[number] }[] = [];
    for (const d of request.diagnostics) {
      if (typeof d.code === "string" && THREAD_CTX_RULES.has(d.code)) offers.push({ offset: file.doc.offsetAt(d.range.start), diagnostic: d });
    }
    const start = file.doc.offsetAt(params.range.start);
    if (offers.length === 0 && this.onTodo(program, sf, start, options)) offers.push({ offset: start });
    const only = params.context.only;
    const wanted = (kind: string): boolean => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    const seen = new Set<string>();
    for (const offer of offers) {
      const found = findThreadCtxTarget(program, file.fileName, offer.offset, options);
      // A cheap refusal means "not applicable here" (the function has a context, module level, a constructor):
      // the rule's own fixes are the answer, so nothing is listed. Unsafe references are found in resolve, and
      // come back as `disabled.reason` there.
      if (!found.ok) continue;
      if (seen.has(found.target.name)) continue;
      seen.add(found.target.name);
      const kind = offer.diagnostic ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite;
      if (!wanted(kind)) continue;
      for (const variant of ["single", "upChain"] as const) {
        const data: ThreadCtxData = { provider: "threadCtx", uri: file.uri, version: file.version, offset: offer.offset, variant };
        actions.push({
          title: threadCtxTitle(found.target.name, variant),
          kind,
          ...(offer.diagnostic ? { diagnostics: [offer.diagnostic] } : {}),
          data,
        });
      }
    }
    return actions;
  }

  resolveCodeAction(action: CodeAction, request: ResolveRequest): CodeAction {
    const data = request.data as ThreadCtxData;
    const result = guarded(() => computeAcross(request.workspace, request.project, request.file.fileName, data.offset, { ...optionsOf(request.workspace), variant: data.variant }));
    if (!result.ok) return { ...action, edit: undefined, disabled: { reason: result.reason } };
    return { ...action, edit: toWorkspaceEdit(result.edit, result.programs, request.workspace) };
  }

  async executeCommand(request: CommandRequest): Promise<ThreadCtxCommand.Result> {
    const args = request.arguments[0];
    if (!ThreadCtxCommand.isArguments(args)) return { applied: false, reason: "ctxkit.threadCtx needs { textDocument: { uri }, position: { line, character } } and, optionally, variant \"single\" or \"upChain\"." };
    const fileName = uriToPath(args.textDocument.uri);
    if (!fileName) return { applied: false, reason: `Not a file URI: ${args.textDocument.uri}` };
    const workspace = request.workspace;
    const open = workspace.openVersion(fileName);
    if (args.textDocument.version !== undefined && open !== null && open !== args.textDocument.version) {
      return { applied: false, reason: `The document changed (version ${args.textDocument.version}; it is at ${open}); try again.` };
    }
    const project = workspace.projectFor(fileName);
    const program = project.service.getProgram();
    const sf = program?.getSourceFile(fileName);
    if (!program || !sf) return { applied: false, reason: `${fileName} is not part of a TypeScript project.` };
    let offset: number;
    try {
      offset = sf.getPositionOfLineAndCharacter(args.position.line, args.position.character);
    } catch {
      return { applied: false, reason: `Position ${args.position.line}:${args.position.character} is outside the document.` };
    }
    const variant = args.variant ?? "single";
    const result = guarded(() => computeAcross(workspace, project, fileName, offset, { ...optionsOf(workspace), variant }));
    if (!result.ok) return { applied: false, reason: result.reason };
    const edit = toWorkspaceEdit(result.edit, result.programs, workspace);
    const applied = await race(request.ctx, request.applyEdit(threadCtxTitle(result.edit.target.name, variant), edit));
    return applied
      ? { applied: true, files: (edit.documentChanges ?? []).map((c) => (c as TextDocumentEdit).textDocument.uri) }
      : { applied: false, reason: "The editor did not apply the edit (a document changed meanwhile?)." };
  }

  /** Whether `offset` is on a ctxkit `todo()` call (the marker an earlier Thread ctx left). */
  private onTodo(program: ts.Program, sf: ts.SourceFile, offset: number, options: ThreadCtxOptions): boolean {
    const matcher = getContextTypeMatcher(program, options.contextTypes);
    for (let n: ts.Node | undefined = nodeAt(sf, offset); n && !ts.isSourceFile(n) && !ts.isFunctionLike(n); n = n.parent) {
      if (ts.isCallExpression(n)) return ctxkitCalleeName(n, matcher) === "todo";
    }
    return false;
  }
}

/**
 * The engine in the file's project and in every other project of the workspace whose program holds the file
 * (callers in other tsconfigs), merged into one edit or refused as a whole.
 */
function computeAcross(workspace: WorkspaceView, project: Project, fileName: string, offset: number, options: ThreadCtxOptions): Outcome<AcrossEdit> {
  const others = (workspace.projects?.() ?? []).filter((p) => p !== project).map(named);
  return computeThreadCtxAcross(named(project), others, fileName, offset, options);
}

function named(project: Project): NamedService {
  const name = project.configFile ? path.relative(path.dirname(path.dirname(project.configFile)), project.configFile) : "the inferred project";
  return { name, service: project.service };
}

/** An unexpected failure of the engine becomes a refusal with its message, never an exception out of a handler. */
function guarded(compute: () => Outcome<AcrossEdit>): Outcome<AcrossEdit> {
  try {
    return compute();
  } catch (e) {
    return { ok: false, reason: `Thread ctx failed unexpectedly (nothing was changed): ${e instanceof Error ? e.message : String(e)}` };
  }
}

function optionsOf(workspace: WorkspaceView): ThreadCtxOptions {
  const settings = workspace.settings();
  const maxDepth = settings.threadCtx.maxDepth;
  return settings.contextTypes ? { contextTypes: settings.contextTypes, maxDepth } : { maxDepth };
}

/** The engine's changes as one versioned WorkspaceEdit (positions from the programs the engine read). */
export function toWorkspaceEdit(edit: ThreadCtxEdit, programs: ts.Program | readonly ts.Program[], workspace: WorkspaceView): WorkspaceEdit {
  const list: readonly ts.Program[] = Array.isArray(programs) ? programs : [programs as ts.Program];
  const documentChanges: TextDocumentEdit[] = edit.changes.map((change) => {
    const sf = list.map((p) => p.getSourceFile(change.fileName)).find((f) => f !== undefined)!;
    const edits: TextEdit[] = change.textChanges.map((t) => ({
      range: { start: sf.getLineAndCharacterOfPosition(t.span.start), end: sf.getLineAndCharacterOfPosition(t.span.start + t.span.length) },
      newText: t.newText,
    }));
    return { textDocument: { uri: workspace.uriOf(change.fileName), version: workspace.openVersion(change.fileName) }, edits };
  });
  return { documentChanges };
}
