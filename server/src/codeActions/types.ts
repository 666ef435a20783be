/**
 * The contract between the server and its code-action providers. The server owns documents, projects, lint results
 * and versions; a provider turns them into actions. Cheap work (titles, kinds, a `data` payload) happens in
 * {@link CodeActionProvider.provideCodeActions}; the edit itself in {@link CodeActionProvider.resolveCodeAction},
 * which the server calls only for the action the user picked (and right away for clients without resolve support).
 */
import type { Context } from "ctxkit";
import type { CodeAction, CodeActionKind, CodeActionParams, Diagnostic } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type ts from "typescript";
import type { LintProblem } from "../lint";
import type { Project } from "../projects";
import type { CtxkitSettings } from "../shared/settings";

/** One open document with its lint result at one version. */
export interface LintedFile {
  uri: string;
  fileName: string;
  version: number;
  doc: TextDocument;
  problems: LintProblem[];
  diagnostics: Diagnostic[];
}

/** Read access to the whole workspace, for providers whose edits span files. */
export interface WorkspaceView {
  /** The project (language service) a file belongs to. */
  projectFor(fileName: string): Project;
  /** The editor's version of an open file, `null` when it is not open (for `OptionalVersionedTextDocumentIdentifier`). */
  openVersion(fileName: string): number | null;
  /** The text of a file: the editor's when open, else the disk's. */
  text(fileName: string): string | undefined;
  /** The URI to use for a file in an edit (the client's own spelling when it has the file open). */
  uriOf(fileName: string): string;
  settings(): CtxkitSettings;
  /**
   * Every project of the workspace (each tsconfig under the root, loaded on first use, and the inferred project),
   * for edits that must reach callers in other projects. Optional: without it, providers see `projectFor` only.
   */
  projects?(): Project[];
}

/** The `data` every provider's actions carry; the server checks `version` and routes by `provider`. */
export interface ActionData {
  provider: string;
  uri: string;
  version: number;
  [key: string]: unknown;
}

export interface CodeActionRequest {
  params: CodeActionParams;
  file: LintedFile;
  project: Project;
  program: ts.Program;
  /** The ctxkit diagnostics of `file` that touch the requested range (from the context, else from the lint result). */
  diagnostics: Diagnostic[];
  workspace: WorkspaceView;
  /** Cancelled when the client cancels the request. */
  ctx: Context;
}

export interface ResolveRequest {
  data: ActionData;
  /** The document's lint result at `data.version` (the server refuses stale versions before calling). */
  file: LintedFile;
  project: Project;
  program: ts.Program;
  workspace: WorkspaceView;
  ctx: Context;
}

export interface CommandRequest {
  command: string;
  arguments: unknown[];
  workspace: WorkspaceView;
  ctx: Context;
  /** Applies an edit in the client (`workspace/applyEdit`). */
  applyEdit(label: string, edit: import("vscode-languageserver").WorkspaceEdit): Promise<boolean>;
}

export interface CodeActionProvider {
  /** Routes `codeAction/resolve` back here: put it in `data.provider`. */
  readonly id: string;
  /** The kinds offered, for the `codeActionProvider.codeActionKinds` capability. */
  readonly kinds: readonly CodeActionKind[];
  /** Commands this provider runs (`workspace/executeCommand`), if any. */
  readonly commands?: readonly string[];
  provideCodeActions(request: CodeActionRequest): CodeAction[] | Promise<CodeAction[]>;
  /** Fills in `edit` (or `disabled` with a reason to refuse). */
  resolveCodeAction(action: CodeAction, request: ResolveRequest): CodeAction | Promise<CodeAction>;
  executeCommand?(request: CommandRequest): Promise<unknown>;
}
