/**
 * The ctxkit names a file needs after Thread ctx (`todo` and the `Context` type), and the import edits that
 * make them available: reuse an existing import (also renamed, or a namespace import), merge into an
 * existing `import { … } from "ctxkit"`, or add a new import after the last one (a `require` in CommonJS
 * JavaScript). A ctxkit import whose every use the edit replaced (`todo`, `background` passed where the new
 * parameter now goes) is removed, so the result has no unused import.
 */
import ts from "typescript";

const MODULE = "ctxkit";

interface NamedImport {
  decl: ts.ImportDeclaration;
  clause: ts.ImportClause;
  bindings: ts.NamedImports;
}

export class CtxkitNames {
  private readonly imports: NamedImport[] = [];
  private readonly namespace: string | undefined;
  /** Local names of ctxkit's value exports (`todo`, `background`) and of the `Context` type. */
  private readonly valueLocal = new Map<string, ts.ImportSpecifier>();
  private contextLocal: string | undefined;
  private needTodo = false;
  private needContext = false;
  private handedOutTodo = 0;
  /** How many uses of each imported local name the edit replaces. */
  private readonly replaced = new Map<string, number>();
  private readonly isJs: boolean;

  constructor(private readonly sf: ts.SourceFile) {
    this.isJs = /\.[cm]?jsx?$/.test(sf.fileName);
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || st.moduleSpecifier.text !== MODULE) continue;
      const clause = st.importClause;
      const bindings = clause?.namedBindings;
      if (!clause || !bindings) continue;
      if (ts.isNamespaceImport(bindings)) {
        this.namespace ??= bindings.name.text;
        continue;
      }
      this.imports.push({ decl: st, clause, bindings });
      for (const el of bindings.elements) {
        const imported = (el.propertyName ?? el.name).text;
        const typeOnly = clause.isTypeOnly || el.isTypeOnly;
        if (!typeOnly && !this.valueLocal.has(imported)) this.valueLocal.set(imported, el);
        if (imported === "Context") this.contextLocal ??= el.name.text;
      }
    }
    if (this.namespace) this.contextLocal ??= `${this.namespace}.Context`;
  }

  /** The expression that calls ctxkit's `todo` in this file. */
  todo(): string {
    this.handedOutTodo++;
    const el = this.valueLocal.get("todo");
    if (el) return `${el.name.text}()`;
    if (this.namespace) return `${this.namespace}.todo()`;
    this.needTodo = true;
    return `${this.freeName("todo")}()`;
  }

  /** The type name of ctxkit's `Context` in this file. */
  context(): string {
    if (this.contextLocal !== undefined) return this.contextLocal;
    this.needContext = true;
    return this.freeName("Context");
  }

  /** Records that a call of ctxkit's `name` (`todo`, `background`) in this file is replaced. */
  replacedCall(name: string): void {
    const el = this.valueLocal.get(name);
    if (el) this.replaced.set(el.name.text, (this.replaced.get(el.name.text) ?? 0) + 1);
  }

  private freeName(name: string): string {
    return this.declaresTopLevel(name) ? `ctxkit${name[0]!.toUpperCase()}${name.slice(1)}` : name;
  }

  private declaresTopLevel(name: string): boolean {
    for (const st of this.sf.statements) {
      if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) && st.name?.text === name) return true;
      if (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)) return true;
      if (ts.isImportDeclaration(st) && st.importClause) {
        const c = st.importClause;
        if (c.name?.text === name) return true;
        if (c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.some((e) => e.name.text === name)) return true;
      }
    }
    return false;
  }

  /** Import specifiers whose every use in the file is replaced by the edit (and not handed out again). */
  private unusedAfterEdit(): Set<ts.ImportSpecifier> {
    const out = new Set<ts.ImportSpecifier>();
    if (this.replaced.size === 0) return out;
    const uses = new Map<string, number>();
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && this.replaced.has(n.text) && !ts.isImportSpecifier(n.parent)) uses.set(n.text, (uses.get(n.text) ?? 0) + 1);
      ts.forEachChild(n, visit);
    };
    visit(this.sf);
    for (const [local, count] of this.replaced) {
      const el = [...this.valueLocal.values()].find((e) => e.name.text === local);
      if (!el) continue;
      if ((el.propertyName ?? el.name).text === "todo" && this.handedOutTodo > 0) continue;
      if ((uses.get(local) ?? 0) === count) out.add(el);
    }
    return out;
  }

  /** The import edits for what `todo()`/`context()` handed out and what the edit made unused. */
  edits(): ts.TextChange[] {
    const add: { text: string; value: boolean }[] = [];
    const spec = (imported: string, local: string): string => (imported === local ? imported : `${imported} as ${local}`);
    if (this.needTodo) add.push({ text: spec("todo", this.freeName("todo")), value: true });
    if (this.needContext && !this.isJs) add.push({ text: spec("Context", this.freeName("Context")), value: false });
    const drop = this.unusedAfterEdit();
    if (add.length === 0 && drop.size === 0) return [];
    const needValue = add.some((a) => a.value);
    // Merge into a value import, or a type-only one (made a value import when `todo` joins it).
    const into = this.imports.find((i) => !i.clause.isTypeOnly && !i.clause.name) ?? this.imports.find((i) => !i.clause.name);
    const changes: ts.TextChange[] = [];
    for (const imp of this.imports) {
      const dropped = imp.bindings.elements.filter((e) => drop.has(e));
      const adding = imp === into ? add : [];
      if (dropped.length === 0 && adding.length === 0) continue;
      const typeOnly = imp.clause.isTypeOnly && !(imp === into && needValue);
      const items = imp.bindings.elements.filter((e) => !drop.has(e)).map((e) => {
        const text = e.getText();
        return imp.clause.isTypeOnly && !typeOnly ? `type ${text}` : text;
      });
      for (const a of adding) items.push(typeOnly || a.value ? a.text : `type ${a.text}`);
      if (items.length === 0 && !imp.clause.name) {
        changes.push(removeLine(this.sf, imp.decl));
        continue;
      }
      let clauseText = `{ ${items.join(", ")} }`;
      if (imp.clause.name) clauseText = `${imp.clause.name.text}, ${clauseText}`;
      const onlyTypes = items.length > 0 && items.every((i) => i.startsWith("type ")) && !imp.clause.name;
      if (onlyTypes) clauseText = `type { ${items.map((i) => i.slice(5)).join(", ")} }`;
      else if (typeOnly) clauseText = `type ${clauseText}`;
      changes.push({ span: { start: imp.clause.getStart(), length: imp.clause.getWidth() }, newText: clauseText });
    }
    if (into || add.length === 0) return changes;
    changes.push(this.newImport(add));
    return changes;
  }

  private newImport(add: { text: string; value: boolean }[]): ts.TextChange {
    const quote = this.quote();
    const lastImport = [...this.sf.statements].reverse().find((s) => ts.isImportDeclaration(s) || isRequireStatement(s));
    const esm = this.sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s) || hasExportModifier(s));
    const commonJs = this.isJs && !esm && (this.sf.fileName.endsWith(".cjs") || /\brequire\s*\(/.test(this.sf.text));
    const from = `${quote}${MODULE}${quote}`;
    let line: string;
    if (commonJs) line = `const { ${add.filter((a) => a.value).map((a) => a.text.replace(" as ", ": ")).join(", ")} } = require(${from});`;
    else if (add.every((a) => !a.value)) line = `import type { ${add.map((a) => a.text).join(", ")} } from ${from};`;
    else line = `import { ${add.map((a) => (a.value ? a.text : `type ${a.text}`)).join(", ")} } from ${from};`;
    if (lastImport) return { span: { start: lastImport.getEnd(), length: 0 }, newText: `\n${line}` };
    const at = headerEnd(this.sf);
    return { span: { start: at, length: 0 }, newText: at === 0 ? `${line}\n\n` : `${line}\n` };
  }

  private quote(): string {
    for (const st of this.sf.statements) {
      if (ts.isImportDeclaration(st)) return this.sf.text[st.moduleSpecifier.getStart()] === "'" ? "'" : '"';
    }
    return '"';
  }
}

function hasExportModifier(st: ts.Statement): boolean {
  return ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** Removes a statement with its line (and the line break after it). */
function removeLine(sf: ts.SourceFile, st: ts.Statement): ts.TextChange {
  const start = st.getStart();
  const lineEnd = sf.text.indexOf("\n", st.getEnd());
  return { span: { start, length: (lineEnd < 0 ? sf.text.length : lineEnd + 1) - start }, newText: "" };
}

function isRequireStatement(st: ts.Statement): boolean {
  if (!ts.isVariableStatement(st)) return false;
  return st.declarationList.declarations.some((d) => {
    const init = d.initializer;
    return !!init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === "require";
  });
}

/**
 * Where a new first import goes: after a `#!` line, pragma comments (`// @ts-check`) and a header comment
 * that a blank line separates from the code; otherwise at the very start.
 */
function headerEnd(sf: ts.SourceFile): number {
  const text = sf.text;
  let at = 0;
  if (text.startsWith("#!")) at = text.indexOf("\n") + 1 || text.length;
  const comments = ts.getLeadingCommentRanges(text, at) ?? [];
  for (const c of comments) {
    const body = text.slice(c.pos, c.end);
    const lineEnd = text.indexOf("\n", c.end);
    const next = lineEnd < 0 ? text.length : lineEnd + 1;
    const blankAfter = /^\r?\n/.test(text.slice(next));
    if (/@ts-(no)?check|@jsx|eslint/.test(body) || blankAfter) at = next;
    else break;
  }
  return at;
}
