/**
 * Making a ctxkit export available to a fix: the name to write, and the import edit when one is needed.
 *
 * - An existing value import of the export (`import { todo as t } from "ctxkit"`) is reused: `t`.
 * - A namespace import (`import * as ck from "ctxkit"`) gives `ck.todo`.
 * - Otherwise the export is added to an existing named value import from "ctxkit", or a new
 *   `import { todo } from "ctxkit";` goes after the last import (or at the top of the file).
 *
 * Refused (`undefined`) when the plain name is already bound to something else where the fix writes it, or the
 * file is not an ES module (a CommonJS script would need `require`, which a fix should not guess).
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";

export interface CtxkitImport {
  /** The expression that names the export at the fix location (`todo`, `ck.todo`). */
  ref: string;
  /** The edit that imports it, if one is needed. */
  fix?: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix;
}

const CTXKIT = "ctxkit";

export function ctxkitImport(sourceCode: Readonly<TSESLint.SourceCode>, exportName: string, at: TSESTree.Node): CtxkitImport | undefined {
  const program = sourceCode.ast;
  const imports = program.body.filter((s): s is TSESTree.ImportDeclaration => s.type === "ImportDeclaration");
  const ctxkitImports = imports.filter((d) => d.source.value === CTXKIT && d.importKind !== "type");
  for (const d of ctxkitImports) {
    for (const s of d.specifiers) {
      if (s.type === "ImportNamespaceSpecifier") return { ref: `${s.local.name}.${exportName}` };
      if (s.type === "ImportSpecifier" && s.importKind !== "type" && importedName(s) === exportName) return { ref: s.local.name };
    }
  }
  if (program.sourceType !== "module") return undefined;
  if (isBound(sourceCode, exportName, at)) return undefined;
  const named = ctxkitImports.find((d) => d.specifiers.length > 0 && d.specifiers.every((s) => s.type === "ImportSpecifier"));
  if (named) {
    const last = named.specifiers[named.specifiers.length - 1]!;
    return { ref: exportName, fix: (fixer) => fixer.insertTextAfter(last, `, ${exportName}`) };
  }
  const text = `import { ${exportName} } from "${CTXKIT}";`;
  const lastImport = imports[imports.length - 1];
  if (lastImport) return { ref: exportName, fix: (fixer) => fixer.insertTextAfter(lastImport, `\n${text}`) };
  const first = program.body[0];
  if (!first) return { ref: exportName, fix: (fixer) => fixer.insertTextAfterRange([0, 0], `${text}\n`) };
  return { ref: exportName, fix: (fixer) => fixer.insertTextBeforeRange([first.range[0], first.range[0]], `${text}\n`) };
}

function importedName(s: TSESTree.ImportSpecifier): string {
  return s.imported.type === "Identifier" ? s.imported.name : s.imported.value;
}

/** Whether `name` resolves to a variable (or an unresolved global reference) at `at`. */
function isBound(sourceCode: Readonly<TSESLint.SourceCode>, name: string, at: TSESTree.Node): boolean {
  const scope = sourceCode.getScope(at);
  for (let s: TSESLint.Scope.Scope | null = scope; s; s = s.upper) {
    if (s.set.has(name)) return true;
    if (s.type === "global" && s.through.some((r) => r.identifier.name === name)) return true;
  }
  return false;
}
