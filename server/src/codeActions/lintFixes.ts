/**
 * Quick fixes straight from the rules: every ESLint fix and suggestion of a problem, and "Fix all <rule> problems in
 * this file" (one pass of the rule's non-overlapping fixes, as ESLint's fixer does per pass).
 */
import { CodeActionKind, type CodeAction, type TextEdit } from "vscode-languageserver";
import { fixToEdit, rangesOverlap, type DiagnosticData } from "../diagnostics";
import type { ActionData, CodeActionProvider, CodeActionRequest, LintedFile, ResolveRequest } from "./types";

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.ctxkit`;

interface LintFixData extends ActionData {
  provider: "lint";
  what: "fix" | "suggestion" | "fixAll";
  ruleId: string;
  /** Problem index in the lint result (fix, suggestion). */
  index?: number;
  suggestion?: number;
}

function problemIndexes(request: CodeActionRequest): number[] {
  const out = new Set<number>();
  for (const d of request.diagnostics) {
    const data = d.data as DiagnosticData | undefined;
    if (data && data.version === request.file.version && request.file.problems[data.index]) out.add(data.index);
    else {
      const i = request.file.diagnostics.findIndex((x) => x.code === d.code && rangesOverlap(x.range, d.range) && x.message === d.message);
      if (i >= 0) out.add(i);
    }
  }
  return [...out].sort((a, b) => a - b);
}

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

export class LintFixProvider implements CodeActionProvider {
  readonly id = "lint";
  readonly kinds = [CodeActionKind.QuickFix, FIX_ALL_KIND];

  provideCodeActions(request: CodeActionRequest): CodeAction[] {
    const { file } = request;
    const only = request.params.context?.only;
    const base = { provider: "lint" as const, uri: file.uri, version: file.version };
    const actions: CodeAction[] = [];
    const fixAllOffered = new Set<string>();
    for (const index of problemIndexes(request)) {
      const { message } = file.problems[index]!;
      const diagnostic = file.diagnostics[index]!;
      const ruleId = message.ruleId!;
      if (wants(only, CodeActionKind.QuickFix)) {
        if (message.fix) {
          actions.push({
            title: `Fix: ${message.message}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: true,
            data: { ...base, what: "fix", ruleId, index } satisfies LintFixData,
          });
        }
        (message.suggestions ?? []).forEach((s, suggestion) => {
          actions.push({
            title: s.desc,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: !message.fix && suggestion === 0,
            data: { ...base, what: "suggestion", ruleId, index, suggestion } satisfies LintFixData,
          });
        });
      }
      if (message.fix && !fixAllOffered.has(ruleId) && wants(only, CodeActionKind.QuickFix)) {
        const count = file.problems.filter((p) => p.message.ruleId === ruleId && p.message.fix).length;
        if (count > 1) {
          fixAllOffered.add(ruleId);
          actions.push({ title: `Fix all ${ruleId} problems in this file`, kind: CodeActionKind.QuickFix, data: { ...base, what: "fixAll", ruleId } satisfies LintFixData });
        }
      }
    }
    if (only?.some((k) => FIX_ALL_KIND.startsWith(k) && k !== CodeActionKind.QuickFix) && file.problems.some((p) => p.message.fix)) {
      actions.push({ title: "Fix all ctxkit problems in this file", kind: FIX_ALL_KIND, data: { ...base, what: "fixAll", ruleId: "*" } satisfies LintFixData });
    }
    return actions;
  }

  resolveCodeAction(action: CodeAction, request: ResolveRequest): CodeAction {
    const data = request.data as LintFixData;
    const edits = this.edits(request.file, data);
    if (edits === undefined || edits.length === 0) {
      return { ...action, disabled: { reason: "The problem this fix belongs to is gone; ask for code actions again." } };
    }
    return {
      ...action,
      edit: { documentChanges: [{ textDocument: { uri: request.file.uri, version: request.file.version }, edits }] },
    };
  }

  private edits(file: LintedFile, data: LintFixData): TextEdit[] | undefined {
    if (data.what === "fixAll") {
      const fixes = file.problems
        .filter((p) => p.message.fix && (data.ruleId === "*" || p.message.ruleId === data.ruleId))
        .map((p) => p.message.fix!)
        .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
      const chosen: typeof fixes = [];
      let end = -1;
      for (const fix of fixes) {
        if (fix.range[0] <= end) continue; // overlapping or touching fixes wait for the next pass, as in ESLint
        chosen.push(fix);
        end = fix.range[1];
      }
      return chosen.map((f) => fixToEdit(file.doc, f));
    }
    const problem = data.index === undefined ? undefined : file.problems[data.index];
    if (!problem || problem.message.ruleId !== data.ruleId) return undefined;
    const fix = data.what === "fix" ? problem.message.fix : problem.message.suggestions?.[data.suggestion ?? -1]?.fix;
    return fix ? [fixToEdit(file.doc, fix)] : undefined;
  }
}
