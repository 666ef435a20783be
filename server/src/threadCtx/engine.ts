/**
 * Thread ctx: add a context parameter to a function, use it where the function dropped a context, and update
 * every call site in the workspace. Pure TypeScript: a LanguageService in, `ts.FileTextChanges` out.
 *
 * The work is done in two phases so that nothing is ever half-applied:
 * 1. Plan. Every reference of every function to change is classified first, in the spirit of Roslyn's
 *    CallSiteKind and TypeScript's convertParamsToDestructuredObject: a declaration (gets the parameter), a
 *    call (gets an argument), an import/export alias or a type query (unchanged), or anything else — a value
 *    use, a dynamic call, a declaration file — which refuses the whole action with its location.
 *    "Up the call chain" keeps planning callers that would receive `todo()`, until each has a context, or
 *    is a boundary: module top level, an entry point without callers, the package's public API, the depth
 *    limit, or a function that cannot be changed safely (its reason is kept as the boundary's reason).
 * 2. Write. With the set of changed functions fixed, each call site's argument is chosen: the caller's new
 *    parameter, else the context in scope (converted: a `Context` passes `ctx.signal` to a signal
 *    parameter), else `todo()` — the visible marker the next Thread ctx continues from.
 */
import ts from "typescript";
import { DEFAULT_CONTEXT_TYPES, getContextTypeMatcher, type ContextTypeMatcher } from "../../../eslint-plugin/src/analysis/contextTypes";
import { ctxkitCalleeName, skipOuter } from "../../../eslint-plugin/src/analysis/ctxkitApi";
import { contextInScope, dropSites, ownContextParameter, type DropSite } from "./contexts";
import { baseName, enclosingUnit, nodeAt, nodeAtSpan, unitOf, where, type FunctionUnit } from "./functions";
import { CtxkitNames } from "./imports";
import { PublicApi } from "./publicApi";
import type { ContextForm, Outcome, Refusal, ThreadCtxEdit, ThreadCtxOptions, ThreadCtxTarget } from "./types";

const DEFAULT_MAX_DEPTH = 8;

/** The target found at a position, with the node-level facts the planner needs. */
interface Located {
  target: ThreadCtxTarget;
  unit: FunctionUnit;
  /** A `todo()` the user pointed at (always replaced). */
  marker: ts.Expression | undefined;
}

/**
 * Cheap: finds the function Thread ctx would change at `position` and its form, or why it does not apply.
 * Syntax and a few type queries; no reference search. Use it to offer the code action.
 */
export function findThreadCtxTarget(program: ts.Program, fileName: string, position: number, options: ThreadCtxOptions = {}): Outcome<{ target: ThreadCtxTarget }> {
  const matcher = getContextTypeMatcher(program, options.contextTypes ?? DEFAULT_CONTEXT_TYPES);
  const found = locate(program, matcher, fileName, position);
  return found.ok ? { ok: true, target: found.target } : found;
}

function locate(program: ts.Program, matcher: ContextTypeMatcher, fileName: string, position: number): Outcome<Located> {
  const sf = program.getSourceFile(fileName);
  if (!sf) return { ok: false, reason: `${baseName(fileName)} is not part of the TypeScript project.` };
  if (sf.isDeclarationFile) return { ok: false, reason: "Thread ctx does not change declaration files." };
  const node = nodeAt(sf, position);
  let marker: ts.Expression | undefined;
  for (let n: ts.Node | undefined = node; n && !ts.isFunctionLike(n); n = n.parent) {
    if (ts.isCallExpression(n) && ctxkitCalleeName(n, matcher) === "todo") {
      marker = n;
      break;
    }
  }
  const unit = enclosingFunction(node);
  if (!unit.ok) return unit;
  const { fn } = unit.unit;
  const own = ownContextParameter(fn, matcher);
  if (own) return { ok: false, reason: `${unit.unit.displayName} already has a context parameter \`${own}\`; pass it where it is dropped.` };
  const anchor = bodyOf(fn) ?? fn;
  const inScope = contextInScope(firstChildOf(anchor), matcher, "ctxkit") ?? contextInScope(firstChildOf(anchor), matcher, "signal");
  if (inScope) {
    return { ok: false, reason: `A context (\`${inScope.text}\`) is already in scope in ${unit.unit.displayName}; pass it where it is dropped.` };
  }
  const sites = dropSites(fn, matcher);
  const form: ContextForm = marker || sites.length === 0 || sites.some((s) => s.wants === "ctxkit") ? "context" : "signal";
  const nameNode = unit.unit.nameNode;
  return {
    ok: true,
    unit: unit.unit,
    marker,
    target: { fileName: sf.fileName, name: unit.unit.displayName, form, namePosition: nameNode ? nameNode.getStart() : fn.getStart() },
  };
}

function enclosingFunction(node: ts.Node): Outcome<{ unit: FunctionUnit }> {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isConstructorDeclaration(n)) return { ok: false, reason: "Thread ctx does not change constructors: `new` call sites cannot take a context first." };
    if (ts.isAccessor(n)) return { ok: false, reason: "Thread ctx does not change getters and setters: property accesses cannot pass a context." };
    if (ts.isFunctionLike(n)) {
      const unit = unitOf(n);
      if (unit) return { ok: true, unit };
    }
    // On the name of a variable or property that holds a function.
    if (ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n) || ts.isPropertyDeclaration(n)) {
      const init = n.initializer && skipOuter(n.initializer);
      const unit = init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? unitOf(init) : undefined;
      if (unit) return { ok: true, unit };
    }
  }
  return { ok: false, reason: "Not inside a named function: module-level code has no callers to pass a context." };
}

function bodyOf(fn: ts.SignatureDeclaration): ts.Node | undefined {
  return (fn as ts.FunctionLikeDeclarationBase).body;
}

function firstChildOf(node: ts.Node): ts.Node {
  let first: ts.Node | undefined;
  ts.forEachChild(node, (c) => {
    first ??= c;
  });
  return first ?? node;
}

/** One function that receives the parameter, with every reference classified. */
interface Planned {
  unit: FunctionUnit;
  /** Every signature that gets the parameter: overloads, interface members, abstract members, implementations. */
  signatures: ts.SignatureDeclaration[];
  calls: ts.CallExpression[];
  paramName: string;
  sites: DropSite[];
}

/**
 * Expensive: the full edit for the target at `position` (every reference, every file), or a refusal with a
 * reason. Reads `languageService.getProgram()` once; the edit is for that program's file versions.
 */
export function computeThreadCtx(languageService: ts.LanguageService, fileName: string, position: number, options: ThreadCtxOptions = {}): Outcome<{ edit: ThreadCtxEdit }> {
  const program = languageService.getProgram();
  if (!program) return { ok: false, reason: "The TypeScript project is not loaded." };
  const matcher = getContextTypeMatcher(program, options.contextTypes ?? DEFAULT_CONTEXT_TYPES);
  const located = locate(program, matcher, fileName, position);
  if (!located.ok) return located;
  return new Planner(languageService, program, matcher, located, options).run();
}

class Planner {
  private readonly planned = new Map<ts.SignatureDeclaration, Planned>();
  /** Maps every signature (also overloads and implementations) to the plan that owns it. */
  private readonly bySignature = new Map<ts.SignatureDeclaration, Planned>();
  private readonly boundaries: { name: string; reason: string }[] = [];
  private readonly publicApi: PublicApi;
  private readonly form: ContextForm;
  private readonly maxDepth: number;
  private readonly names = new Map<ts.SourceFile, CtxkitNames>();
  private readonly changes = new Map<string, ts.TextChange[]>();

  constructor(
    private readonly ls: ts.LanguageService,
    private readonly program: ts.Program,
    private readonly matcher: ContextTypeMatcher,
    private readonly located: Located,
    private readonly options: ThreadCtxOptions,
  ) {
    this.publicApi = new PublicApi(program);
    this.form = located.target.form;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  run(): Outcome<{ edit: ThreadCtxEdit }> {
    const first = this.plan(this.located.unit);
    if (!first.ok) return first;
    if (this.located.marker && !first.plan.sites.some((s) => s.kind === "replace" && s.node === this.located.marker)) {
      first.plan.sites.push({ kind: "replace", node: this.located.marker, wants: "ctxkit" });
    }
    this.add(first.plan);
    if (this.options.variant === "upChain") this.climb(first.plan, 1);
    for (const plan of this.planned.values()) this.write(plan);
    for (const [sf, names] of this.names) {
      // Imports go first among edits at one offset (a new import and a new JSDoc comment can both go at the start).
      for (const edit of names.edits()) this.push(sf.fileName, edit, true);
    }
    const changes: ts.FileTextChanges[] = [...this.changes].map(([fileName, textChanges]) => ({
      fileName,
      textChanges: textChanges.sort((a, b) => a.span.start - b.span.start),
    }));
    const overlap = changes.find((c) => c.textChanges.some((t, i) => i > 0 && t.span.start < end(c.textChanges[i - 1]!)));
    if (overlap) return { ok: false, reason: `Thread ctx computed overlapping edits in ${baseName(overlap.fileName)}; nothing was changed.` };
    return {
      ok: true,
      edit: {
        target: this.located.target,
        changes,
        threaded: [...this.planned.values()].map((p) => p.unit.displayName),
        boundaries: this.boundaries,
      },
    };
  }

  private add(plan: Planned): void {
    this.planned.set(plan.unit.fn, plan);
    for (const s of plan.signatures) this.bySignature.set(s, plan);
  }

  /** Up the call chain: plan every caller that would otherwise pass `todo()`, breadth-first by depth. */
  private climb(start: Planned, depth: number): void {
    let level = [start];
    for (let d = depth; level.length > 0; d++) {
      const next: Planned[] = [];
      for (const plan of level) {
        for (const call of plan.calls) {
          if (this.passable(call)) continue;
          const caller = enclosingUnit(call);
          if (!caller) {
            this.boundary(`module level of ${baseName(call.getSourceFile().fileName)}`, "module-level code has no caller");
            continue;
          }
          if (this.bySignature.has(caller.fn) || this.refused.has(caller.fn)) continue;
          const stop = this.boundaryReason(caller, d);
          if (stop) {
            this.refused.add(caller.fn);
            this.boundary(caller.displayName, stop);
            continue;
          }
          const planned = this.plan(caller);
          if (!planned.ok) {
            this.refused.add(caller.fn);
            this.boundary(caller.displayName, planned.reason);
            continue;
          }
          if (planned.plan.calls.length === 0) {
            this.refused.add(caller.fn);
            this.boundary(caller.displayName, "entry point: nothing in the workspace calls it");
            continue;
          }
          this.add(planned.plan);
          next.push(planned.plan);
        }
      }
      level = next;
    }
  }

  private readonly refused = new Set<ts.SignatureDeclaration>();

  private boundary(name: string, reason: string): void {
    if (!this.boundaries.some((b) => b.name === name)) this.boundaries.push({ name, reason });
  }

  private boundaryReason(caller: FunctionUnit, depth: number): string | undefined {
    if (depth > this.maxDepth) return `the depth limit (${this.maxDepth}) is reached`;
    if (this.publicApi.isPublic(caller.holder)) return "public API of its package (package.json exports it)";
    if (caller.nameNode && caller.nameNode.getText() === "main" && ts.isFunctionDeclaration(caller.fn)) return "entry point";
    if (ownContextParameter(caller.fn, this.matcher)) return "it has an optional context parameter; pass it explicitly";
    return undefined;
  }

  /** Whether a call site can pass a context without changing its caller (a usable context is in scope). */
  private passable(call: ts.CallExpression): boolean {
    return contextInScope(call, this.matcher, this.wants) !== undefined;
  }

  /** The kind of context the new parameter holds. */
  private get wants(): "ctxkit" | "signal" {
    return this.form === "context" ? "ctxkit" : "signal";
  }

  /** Phase 1 for one function: classify every reference, or refuse with the first one not understood. */
  private plan(unit: FunctionUnit): Outcome<{ plan: Planned }> {
    const label = unit.displayName;
    if (!unit.nameNode) return { ok: false, reason: `${label} has no name its callers use (an anonymous default export).` };
    const sf = unit.fn.getSourceFile();
    // The same search as findReferences (through aliases, re-exports, base members and implementations), without
    // the display text of every definition that findReferences computes: several times cheaper (bench/thread-ctx.mjs).
    const seen = new Set<string>();
    const signatures = new Set<ts.SignatureDeclaration>();
    const calls: ts.CallExpression[] = [];
    const take = (refs: readonly ts.ReferenceEntry[]): Refusal | undefined => {
      for (const ref of refs) {
        const key = `${ref.fileName}:${ref.textSpan.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const found = this.reference(ref, label);
        if (!found.ok) return found;
        if (found.signature) signatures.add(found.signature);
        if (found.call) calls.push(found.call);
      }
      return undefined;
    };
    const refused = take(this.ls.getReferencesAtPosition(sf.fileName, unit.nameNode.getStart()) ?? []);
    if (refused) return refused;
    // TypeScript's reference search does not reach CommonJS `require` destructurings of an ES module's export.
    const required = this.requireReferences(unit, label);
    if (!required.ok) return required;
    const refusedRequire = take(required.refs);
    if (refusedRequire) return refusedRequire;
    if (!signatures.has(unit.fn)) signatures.add(unit.fn);
    // Overload implementations: every declaration of the same symbol with a body or without one.
    for (const s of [...signatures]) {
      if (ts.isFunctionDeclaration(s) || ts.isMethodDeclaration(s)) {
        const symbol = s.name && this.program.getTypeChecker().getSymbolAtLocation(s.name);
        for (const d of symbol?.declarations ?? []) if (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) signatures.add(d);
      }
    }
    const paramName = this.freeParamName([...signatures], this.form === "context" ? "ctx" : "signal");
    const implementations = [...signatures].filter((s) => bodyOf(s) !== undefined);
    const sites = implementations.flatMap((s) => dropSites(s, this.matcher));
    return { ok: true, plan: { unit, signatures: [...signatures], calls, paramName, sites } };
  }

  /** Every `require(...)` call of the program's JavaScript files (one scan per plan session). */
  private requireCalls: ts.CallExpression[] | undefined;

  private allRequireCalls(): ts.CallExpression[] {
    if (this.requireCalls) return this.requireCalls;
    const out: ts.CallExpression[] = [];
    for (const sf of this.program.getSourceFiles()) {
      if (!isJsFile(sf) || sf.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(sf) || !sf.text.includes("require")) continue;
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "require" && n.arguments.length === 1 && ts.isStringLiteralLike(n.arguments[0]!)) out.push(n);
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    return (this.requireCalls = out);
  }

  /**
   * The references that `require` brings in: for each `require(m)` whose module exports the unit, the local
   * binding's references (`const { f } = require(m)`, also `{ f: g }`). A `require` bound whole
   * (`const m = require(...)`, `require(m).f(...)`) refuses: its member calls are not searchable.
   */
  private requireReferences(unit: FunctionUnit, label: string): Outcome<{ refs: ts.ReferenceEntry[] }> {
    const calls = this.allRequireCalls();
    if (calls.length === 0) return { ok: true, refs: [] };
    const checker = this.program.getTypeChecker();
    const decls = new Set<ts.Node>([unit.holder, unit.fn]);
    const exportNames = new Map<ts.Symbol, Set<string>>();
    const namesIn = (moduleSymbol: ts.Symbol): Set<string> => {
      let names = exportNames.get(moduleSymbol);
      if (names) return names;
      names = new Set();
      for (let sym of checker.getExportsOfModule(moduleSymbol)) {
        const name = sym.getName();
        if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
        if ((sym.declarations ?? []).some((d) => decls.has(d))) names.add(name);
      }
      exportNames.set(moduleSymbol, names);
      return names;
    };
    const refs: ts.ReferenceEntry[] = [];
    for (const call of calls) {
      const moduleSymbol = checker.getSymbolAtLocation(call.arguments[0]!);
      if (!moduleSymbol) continue;
      const names = namesIn(moduleSymbol);
      if (names.size === 0) continue;
      const decl = call.parent;
      if (!ts.isVariableDeclaration(decl) || decl.initializer !== call || !ts.isObjectBindingPattern(decl.name)) {
        return { ok: false, reason: `${label} is required whole at ${where(call)}; Thread ctx cannot find the calls through that CommonJS binding.` };
      }
      for (const el of decl.name.elements) {
        const imported = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : undefined;
        if (imported === undefined || !names.has(imported) || !ts.isIdentifier(el.name)) continue;
        refs.push(...(this.ls.getReferencesAtPosition(call.getSourceFile().fileName, el.name.getStart()) ?? []));
      }
    }
    return { ok: true, refs };
  }

  /** The node a reference entry points at, classified. */
  private reference(ref: ts.ReferenceEntry, label: string): Outcome<{ node: ts.Node; signature?: ts.SignatureDeclaration; call?: ts.CallExpression }> {
    const file = this.program.getSourceFile(ref.fileName);
    if (!file) return { ok: false, reason: `${label} is referenced in ${baseName(ref.fileName)}, which is outside the project.` };
    if (file.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(file) || /[\\/]node_modules[\\/]/.test(file.fileName)) {
      return { ok: false, reason: `${label} is declared or referenced in ${baseName(file.fileName)}, a declaration file or dependency that Thread ctx does not change.` };
    }
    // A reference in a string (`api["get"]`) spans the text without its quotes.
    const node = nodeAtSpan(file, ref.textSpan.start, ref.textSpan.length) ?? nodeAtSpan(file, ref.textSpan.start - 1, ref.textSpan.length + 2);
    if (!node) return { ok: false, reason: `A reference to ${label} in ${baseName(file.fileName)} could not be read.` };
    const kind = this.classify(node, label);
    return kind.ok ? { ...kind, node } : kind;
  }

  /** A reference is a signature, a call, or harmless (alias, type query); anything else refuses. */
  private classify(node: ts.Node, label: string): Outcome<{ signature?: ts.SignatureDeclaration; call?: ts.CallExpression }> {
    const parent = node.parent;
    const refuse = (what: string): Outcome<never> => ({ ok: false, reason: `${label} ${what} at ${where(node)}; Thread ctx cannot update that reference safely.` });
    // Declarations.
    if ((ts.isFunctionDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent)) && parent.name === node) {
      return { ok: true, signature: parent };
    }
    if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) {
      const init = parent.initializer && skipOuter(parent.initializer);
      if (!init || !(ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return refuse("is not declared as a function literal (its value comes from an expression)");
      if (!ts.isPropertyAssignment(parent) && parent.type) return refuse(`is declared with the type \`${parent.type.getText()}\`, which other values share`);
      return { ok: true, signature: init };
    }
    if (ts.isPropertySignature(parent) && parent.name === node) {
      const type = parent.type;
      if (type && ts.isFunctionTypeNode(type)) return { ok: true, signature: type };
      return refuse("is declared as a property whose type is not a function type");
    }
    // CommonJS: TypeScript's reference search does not go from `module.exports = { f }` to the modules that
    // `require` it, so their calls cannot all be found; a `require` binding reached from its own side is an import.
    if (isCommonJsExport(node)) return refuse("is exported through CommonJS `module.exports`/`exports`, whose importers TypeScript's reference search does not list");
    if (isRequireBinding(node)) return { ok: true };
    if (ts.isShorthandPropertyAssignment(parent)) return refuse("is passed as a value (shorthand property)");
    // Aliases and type positions change along with the declaration.
    if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent) || ts.isImportEqualsDeclaration(parent)) return { ok: true };
    if (ts.isExportAssignment(parent) && parent.expression === node) return { ok: true };
    if (ts.isTypeQueryNode(parent) || ts.isJSDoc(parent) || isInJSDoc(node)) return { ok: true };
    // Calls.
    let callee: ts.Node = node;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) callee = parent;
    if (ts.isElementAccessExpression(parent) && parent.argumentExpression === node) return refuse("is called through a computed member access");
    while (ts.isParenthesizedExpression(callee.parent) || ts.isNonNullExpression(callee.parent)) callee = callee.parent;
    const outer = callee.parent;
    // The new parameter goes first, so no argument (not even a spread) comes before it: every call is rewritable.
    if (ts.isCallExpression(outer) && outer.expression === callee) return { ok: true, call: outer };
    if (ts.isPropertyAccessExpression(outer) && outer.expression === callee && ["call", "apply", "bind"].includes(outer.name.text)) {
      return refuse(`is called dynamically through \`.${outer.name.text}\``);
    }
    if (ts.isNewExpression(outer) && outer.expression === callee) return refuse("is called with `new`");
    if (ts.isTaggedTemplateExpression(outer) && outer.tag === callee) return refuse("is used as a template tag");
    if (ts.isDecorator(outer)) return refuse("is used as a decorator");
    return refuse("is used as a value (passed, stored or returned)");
  }

  private freeParamName(signatures: ts.SignatureDeclaration[], base: string): string {
    const used = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) used.add(n.text);
      ts.forEachChild(n, visit);
    };
    for (const s of signatures) visit(s);
    if (!used.has(base)) return base;
    for (let i = 1; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
  }

  // ---- Phase 2: write -------------------------------------------------------------------------------

  private namesOf(sf: ts.SourceFile): CtxkitNames {
    let names = this.names.get(sf);
    if (!names) this.names.set(sf, (names = new CtxkitNames(sf)));
    return names;
  }

  private push(fileName: string, change: ts.TextChange, first = false): void {
    let list = this.changes.get(fileName);
    if (!list) this.changes.set(fileName, (list = []));
    if (list.some((c) => c.span.start === change.span.start && c.span.length === change.span.length && c.newText === change.newText)) return;
    if (first) list.unshift(change);
    else list.push(change);
  }

  private write(plan: Planned): void {
    for (const s of plan.signatures) this.addParameter(s, plan.paramName);
    for (const site of plan.sites) this.useAt(site, plan.paramName);
    for (const call of plan.calls) {
      const arg = this.argumentFor(call);
      const sf = call.getSourceFile();
      this.push(sf.fileName, { span: { start: call.arguments.pos, length: 0 }, newText: call.arguments.length > 0 ? `${arg}, ` : arg });
    }
  }

  private addParameter(s: ts.SignatureDeclaration, name: string): void {
    const sf = s.getSourceFile();
    const isJs = isJsFile(sf);
    if (isJs) this.addJsDocParameter(s, name);
    const param = isJs ? name : `${name}: ${this.form === "context" ? this.namesOf(sf).context() : "AbortSignal"}`;
    const params = s.parameters;
    const first = params[0];
    const thisParam = first && ts.isIdentifier(first.name) && first.name.text === "this" ? first : undefined;
    if (thisParam) {
      this.push(sf.fileName, { span: { start: thisParam.getEnd(), length: 0 }, newText: `, ${param}` });
      return;
    }
    const hasParens = s.getChildren(sf).some((c) => c.kind === ts.SyntaxKind.OpenParenToken);
    if (!hasParens && first) {
      this.push(sf.fileName, { span: { start: first.getStart(sf), length: first.getWidth(sf) }, newText: `(${param}, ${first.getText(sf)})` });
      return;
    }
    this.push(sf.fileName, { span: { start: params.pos, length: 0 }, newText: params.length > 0 ? `${param}, ` : param });
  }

  /**
   * JavaScript has no annotation for the new parameter, so its JSDoc gets a `@param` tag (before the first
   * one, or at the end of the comment, or in a new comment), which keeps `checkJs` projects clean.
   */
  private addJsDocParameter(s: ts.SignatureDeclaration, name: string): void {
    const sf = s.getSourceFile();
    const type = this.form === "context" ? `import("ctxkit").Context` : "AbortSignal";
    const tag = `@param {${type}} ${name}`;
    let host: ts.Node = s;
    if (ts.isArrowFunction(s) || ts.isFunctionExpression(s)) {
      const unit = unitOf(s);
      host = unit ? unit.holder : s;
      if (ts.isVariableDeclaration(host) && ts.isVariableStatement(host.parent.parent)) host = host.parent.parent;
    }
    const docs = (host as { jsDoc?: ts.JSDoc[] }).jsDoc;
    const doc = docs?.[docs.length - 1];
    const text = sf.text;
    const lineStart = (pos: number): number => text.lastIndexOf("\n", pos - 1) + 1;
    if (doc) {
      const firstParam = doc.tags?.find((t) => ts.isJSDocParameterTag(t));
      if (firstParam) {
        const at = firstParam.getStart(sf);
        const prefix = text.slice(lineStart(at), at);
        const multiLine = /^\s*\*\s*$/.test(prefix);
        this.push(sf.fileName, { span: { start: at, length: 0 }, newText: multiLine ? `${tag}\n${prefix}` : `${tag} ` });
        return;
      }
      const close = doc.getEnd() - 2;
      const closeLine = lineStart(close);
      if (/^\s*$/.test(text.slice(closeLine, close))) {
        this.push(sf.fileName, { span: { start: closeLine, length: 0 }, newText: `${text.slice(closeLine, close)}* ${tag}\n` });
      } else {
        this.push(sf.fileName, { span: { start: close, length: 0 }, newText: `${text[close - 1] === " " ? "" : " "}${tag} ` });
      }
      return;
    }
    const at = host.getStart(sf);
    const indent = text.slice(lineStart(at), at);
    this.push(sf.fileName, { span: { start: at, length: 0 }, newText: `/** ${tag} */\n${/^\s*$/.test(indent) ? indent : ""}` });
  }

  /** The value of the new parameter in the form a drop site wants (`ctx`, `ctx.signal`, `signal`). */
  private valueFor(paramName: string, wants: "ctxkit" | "signal"): string | undefined {
    if (this.form === "context") return wants === "ctxkit" ? paramName : `${paramName}.signal`;
    return wants === "signal" ? paramName : undefined;
  }

  private useAt(site: DropSite, paramName: string): void {
    const value = this.valueFor(paramName, site.wants);
    if (value === undefined) return;
    if (site.kind === "replace") {
      const sf = site.node.getSourceFile();
      const call = ts.isPropertyAccessExpression(site.node) ? site.node.expression : site.node;
      const root = ts.isCallExpression(call) ? ctxkitCalleeName(call, this.matcher) : undefined;
      if (root) this.namesOf(sf).replacedCall(root);
      this.push(sf.fileName, { span: { start: site.node.getStart(sf), length: site.node.getWidth(sf) }, newText: value });
    } else if (site.kind === "append") {
      const sf = site.call.getSourceFile();
      const text = site.bagProperty ? `{ ${property(site.bagProperty, value)} }` : value;
      this.push(sf.fileName, { span: { start: site.call.arguments.end, length: 0 }, newText: site.call.arguments.length > 0 ? `, ${text}` : text });
    } else {
      const sf = site.literal.getSourceFile();
      const props = site.literal.properties;
      const last = props[props.length - 1];
      if (last) this.push(sf.fileName, { span: { start: last.getEnd(), length: 0 }, newText: `, ${property(site.property, value)}` });
      else this.push(sf.fileName, { span: { start: site.literal.getStart(sf), length: site.literal.getWidth(sf) }, newText: `{ ${property(site.property, value)} }` });
    }
  }

  /** What a call site passes: the caller's new parameter, the context in scope, or `todo()`. */
  private argumentFor(call: ts.CallExpression): string {
    const inScope = contextInScope(call, this.matcher, this.wants);
    if (inScope) return inScope.text;
    const caller = enclosingUnit(call);
    const callerPlan = caller && this.bySignature.get(caller.fn);
    if (callerPlan) return callerPlan.paramName;
    const todo = this.namesOf(call.getSourceFile()).todo();
    return this.form === "context" ? todo : `${todo}.signal`;
  }
}

function property(name: string, value: string): string {
  return name === value ? name : `${name}: ${value}`;
}

function end(change: ts.TextChange): number {
  return change.span.start + change.span.length;
}

function isJsFile(sf: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(sf.fileName);
}

function isInJSDoc(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (ts.isJSDoc(n)) return true;
  return false;
}

/** `module.exports = { f }`, `module.exports = { f: f }`, `exports.f = f`, `module.exports.f = f`, `module.exports = f`. */
function isCommonJsExport(node: ts.Node): boolean {
  const isExportsTarget = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    if (ts.isIdentifier(x)) return x.text === "exports";
    if (ts.isPropertyAccessExpression(x)) {
      if (ts.isIdentifier(x.expression) && x.expression.text === "module" && x.name.text === "exports") return true;
      return isExportsTarget(x.expression);
    }
    return false;
  };
  const assignedBy = (value: ts.Node): boolean => {
    const p = value.parent;
    return ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === value && isExportsTarget(p.left);
  };
  const parent = node.parent;
  if (assignedBy(node)) return true;
  const member = ts.isShorthandPropertyAssignment(parent) ? parent : ts.isPropertyAssignment(parent) && parent.initializer === node ? parent : undefined;
  return !!member && ts.isObjectLiteralExpression(member.parent) && assignedBy(member.parent);
}

/** `const { f } = require("./m")` (also renamed: `{ f: g }`). */
function isRequireBinding(node: ts.Node): boolean {
  const el = node.parent;
  if (!ts.isBindingElement(el) || !ts.isObjectBindingPattern(el.parent)) return false;
  const decl = el.parent.parent;
  if (!ts.isVariableDeclaration(decl) || !decl.initializer) return false;
  const init = skipOuter(decl.initializer);
  return ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === "require";
}
