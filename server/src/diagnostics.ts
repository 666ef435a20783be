/** From the `Linter`'s messages to LSP diagnostics: rule id as `code`, the rule doc as `codeDescription`. */
import * as path from "node:path";
import type { Linter } from "eslint";
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation, type Range, type TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { pathToUri } from "./documents";
import { RULES, type LintProblem, type RelatedNode } from "./lint";

export const SOURCE = "ctxkit";

/** What the server remembers of a diagnostic, in `Diagnostic.data`, to find its problem again in a code action. */
export interface DiagnosticData {
  ruleId: string;
  /** Index of the problem in the lint result of `version`. */
  index: number;
  version: number;
}

export function messageRange(message: Linter.LintMessage): Range {
  const startLine = Math.max(0, message.line - 1);
  const startChar = Math.max(0, message.column - 1);
  const endLine = message.endLine !== undefined ? Math.max(0, message.endLine - 1) : startLine;
  const endChar = message.endColumn !== undefined ? Math.max(0, message.endColumn - 1) : startChar;
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

function relatedMessage(node: RelatedNode): string {
  if (node.key === "contextNode" || node.key === "context") return "the context in scope";
  return node.key.replace(/Node$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

export function toDiagnostic(problem: LintProblem, index: number, uri: string, version: number, fileName: string): Diagnostic {
  const { message } = problem;
  const ruleId = message.ruleId ?? "ctxkit";
  const info = RULES.get(ruleId.replace(/^ctxkit\//, ""));
  const diagnostic: Diagnostic = {
    range: messageRange(message),
    severity: message.severity === 2 ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: ruleId,
    source: SOURCE,
    message: message.message,
    data: { ruleId, index, version } satisfies DiagnosticData,
  };
  if (info?.docsUrl) diagnostic.codeDescription = { href: info.docsUrl };
  if (problem.related.length > 0) {
    diagnostic.relatedInformation = problem.related.map(
      (node): DiagnosticRelatedInformation => ({
        location: {
          uri: node.fileName && path.normalize(node.fileName) !== fileName ? pathToUri(node.fileName) : uri,
          range: {
            start: { line: node.loc.start.line - 1, character: node.loc.start.column },
            end: { line: node.loc.end.line - 1, character: node.loc.end.column },
          },
        },
        message: relatedMessage(node),
      }),
    );
  }
  return diagnostic;
}

/** An ESLint fix (`[start, end)` offsets into the text) as a text edit of `doc`. */
export function fixToEdit(doc: TextDocument, fix: Linter.LintMessage["fix"] & object): TextEdit {
  return { range: { start: doc.positionAt(fix.range[0]), end: doc.positionAt(fix.range[1]) }, newText: fix.text };
}

export function rangesOverlap(a: Range, b: Range): boolean {
  const before = (p: Range["start"], q: Range["start"]): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
