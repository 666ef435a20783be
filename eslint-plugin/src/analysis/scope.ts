/**
 * Which contexts are in scope at a node, and whether an expression is derived from them: shared by
 * `no-dropped-context`, `no-unbounded-await` and the language server's "Thread ctx".
 *
 * **In scope** ({@link contextsInScope}) are, innermost function first:
 * - locals of a context type declared before the node in an enclosing block (`const [ctx, cancel] =
 *   withTimeout(parent, 5)`, `const signal = AbortSignal.any([...])`), newest first, unless they are detached
 *   (`const c = background()`) or opted out (`withoutCancel(ctx)`); and the `Context` of a local cancel scope
 *   (`using scope = withTimeout(parent, 5)` gives `scope.ctx`);
 * - parameters of a context type, destructured ones included (`({ signal }: Options)`), and context-typed
 *   properties of parameters (`req.signal`, `opts.signal`, `options.cancellationToken`).
 * Module-level variables and class fields are never in scope: they are not *this call's* context.
 *
 * **Which callbacks a context flows into** ({@link contextFlowsInto}): a function written inside another one
 * sees its contexts — synchronous array callbacks (`map`, `forEach`, `filter`, …), promise executors and
 * `.then` callbacks, helpers such as `retry(async () => …)` — except where the function runs after the work it
 * belongs to or outside it: timer callbacks (`setTimeout`, `setInterval`, `setImmediate`, `queueMicrotask`,
 * `process.nextTick`, `requestAnimationFrame`), event handlers (`on`, `once`, `addListener`,
 * `addEventListener`, `onCancellationRequested`, assignments to `x.onsomething`), `afterFunc(ctx, f)` (runs when
 * the context is already done), methods of classes declared inside the function, and members of an object
 * literal that carries a context itself (`{ ctx, applyEdit: async () => … }`: the object owns its context, and
 * whoever calls the member holds it — see {@link isContextHolder}).
 *
 * **Derivation** ({@link deriveContext}): an expression is *derived* when it is an in-scope context or made from
 * one: a parameter (or its property: `ctx.signal`, `req.signal`), a cancel scope or context derived from it
 * (`withCancel`/`withTimeout`/`withDeadline`/Cause variants, `.ctx` or destructured, `withValue`, `fromSignal`,
 * `withIncomingDeadline`, `requestContext(req, res, parent)`), `AbortSignal.any([signal, …])`, `a ?? b` with a
 * derived side, or a local initialised from any of these. It is *detached* when no cancellation can reach it from
 * the caller: `background()`, `todo()`, a fresh `new AbortController()`'s signal (whose controller is used for
 * nothing else), `AbortSignal.timeout(ms)`, module-level variables and imports, and stored fields (`this.x`).
 * `withoutCancel(ctx)`, `undefined` and `null` are explicit *opt-outs*. Anything else (a call result, an
 * awaited value) is *unknown*, and rules report nothing about it.
 *
 * API (results cached per matcher, i.e. per program and option set):
 * - {@link contextsInScope}`(node, matcher)`: `ScopeContext[]`, innermost first; `text` is what to write at
 *   `node` (`ctx`, `req.signal`, `scope.ctx`), `kind` its family, `owner` the declaring function.
 * - {@link convertibleTo}`(scopeContext, kind)`: the expression that fills a slot of `kind` (`ctx.signal` for a
 *   signal slot from a ctxkit Context), or undefined.
 * - {@link deriveContext}`(expr, matcher)`: `derived` | `optOut` | `detached` (with the reason) | `unknown`.
 * - {@link contextFlowsInto}`(fn, matcher)`: whether an enclosing function's contexts are visible in `fn`.
 * - {@link isContextHolder}, {@link boundByOrigin}, {@link isGuardedBy} (in any branch of a test of the context),
 *   {@link inBranchWithoutContext} and {@link absentWhen} (in the branch where the test says it is absent), {@link enclosingFunction},
 *   {@link valueSymbolOf}, {@link normalizeContextText}: the smaller questions the rules share.
 */
import ts from "typescript";
import type { ContextKind, ContextTypeMatcher } from "./contextTypes";
import { ctxkitCalleeName, DERIVED_FROM_PARENT, skipOuter } from "./ctxkitApi";

/** A context visible at a node. */
export interface ScopeContext {
  /** Source text that names it at the node: `ctx`, `req.signal`, `scope.ctx`. */
  text: string;
  kind: ContextKind;
  /** Short type name for messages: `Context`, `AbortSignal`, `CancellationToken`. */
  typeName: string;
  origin: "parameter" | "parameterProperty" | "local" | "localProperty";
  /** The value may be `undefined` (`signal?: AbortSignal`, `opts.signal` of an optional property): passing it to a
   * required parameter would not type-check, so fixes prefer contexts that are always there. */
  optional: boolean;
  /** The declaring identifier (parameter name, binding element name, variable name). */
  declaration: ts.Identifier;
  /** The function whose parameter or local it is. */
  owner: ts.SignatureDeclaration;
}

export type DetachedReason = "background" | "todo" | "abortController" | "timeout" | "global" | "field";

/** How an expression relates to the contexts in scope; see the module comment. */
export type Derivation =
  | { kind: "derived" }
  | { kind: "optOut" }
  | { kind: "detached"; reason: DetachedReason }
  | { kind: "unknown" };

const TIMER_CALLEES: ReadonlySet<string> = new Set([
  "setTimeout",
  "setInterval",
  "setImmediate",
  "queueMicrotask",
  "nextTick",
  "requestAnimationFrame",
  "requestIdleCallback",
]);
const EVENT_CALLEES: ReadonlySet<string> = new Set([
  "on",
  "once",
  "addListener",
  "prependListener",
  "prependOnceListener",
  "addEventListener",
  "onCancellationRequested",
  "afterFunc",
]);

/**
 * A variable declaration of a function body that may hold contexts. Its type is asked only when a query at a
 * later position needs it (`ctxs` undefined until then): on a program not checked in advance, a local's type
 * makes the checker infer its initializer.
 */
interface LocalCandidate {
  decl: ts.VariableDeclaration;
  container: ts.Node;
  end: number;
  ctxs?: ScopeContext[];
}

interface FunctionInfo {
  params: ScopeContext[];
  locals: LocalCandidate[];
  owner: ts.SignatureDeclaration;
}

interface Caches {
  functions: Map<ts.Node, FunctionInfo>;
  propsOfType: Map<ts.Type, { property: string; kind: ContextKind; typeName: string; optional: boolean }[]>;
  derivation: Map<ts.Node, Derivation>;
  exprTypes: Map<ts.Node, ts.Type>;
}

// Speed path: every call in a function asks for the same parameters and locals, and the same few types
// (a request, an options bag) are asked for their context properties again and again.
const caches = new WeakMap<ContextTypeMatcher, Caches>();

function cachesOf(matcher: ContextTypeMatcher): Caches {
  let c = caches.get(matcher);
  if (!c) caches.set(matcher, (c = { functions: new Map(), propsOfType: new Map(), derivation: new Map(), exprTypes: new Map() }));
  return c;
}

/** `options?.signal`, `options!.signal` and `options.signal` name the same context (compare `ScopeContext.text`s). */
export function normalizeContextText(text: string): string {
  return text.replace(/\s+/g, "").replace(/\?\./g, ".").replace(/!/g, "");
}

/**
 * Whether `node` runs only where the context in scope (the innermost, the one a report would name) is absent:
 * in the branch of a `?:` or an `if` whose condition tests it (`signal ? sleepUntilAborted(ms, signal) :
 * sleep(ms)`, `if (!signal) await sleep(ms)`, `signal == null`). Without a context there is nothing to pass or
 * race. The walk stops at the enclosing function.
 */
export function inBranchWithoutContext(node: ts.Node, ctx: ScopeContext): boolean {
  for (let child: ts.Node = node, n = node.parent; n && !isFunctionLike(n); child = n, n = n.parent) {
    let cond: ts.Expression | undefined;
    let inTrueBranch = false;
    if (ts.isConditionalExpression(n) && child !== n.condition) [cond, inTrueBranch] = [n.condition, child === n.whenTrue];
    else if (ts.isIfStatement(n) && child !== n.expression) [cond, inTrueBranch] = [n.expression, child === n.thenStatement];
    if (cond && absentWhen(cond, ctx) === inTrueBranch) return true;
  }
  return false;
}

/**
 * The value of `cond` under which `ctx` is absent (`!signal` → true, `signal != null` → false), or undefined when
 * the condition does not test it.
 */
export function absentWhen(cond: ts.Expression, ctx: ScopeContext): boolean | undefined {
  const tested = testedContext(cond);
  return tested && tested.text === normalizeContextText(ctx.text) ? !tested.presentWhenTrue : undefined;
}

/** What a condition says about a context: `x` / `x != null` (present when true), `!x` / `x === undefined`. */
function testedContext(cond: ts.Expression): { text: string; presentWhenTrue: boolean } | undefined {
  const e = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = testedContext(e.operand);
    return inner && { text: inner.text, presentWhenTrue: !inner.presentWhenTrue };
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const equals = op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken;
    const differs = op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken;
    if (!equals && !differs) return undefined;
    const side = isNullish(e.right) ? e.left : isNullish(e.left) ? e.right : undefined;
    return side && { text: normalizeContextText(skipOuter(side).getText()), presentWhenTrue: differs };
  }
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  return { text: normalizeContextText(e.getText()), presentWhenTrue: true };
}

function isNullish(e: ts.Expression): boolean {
  const inner = skipOuter(e);
  return inner.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(inner) && inner.text === "undefined") || ts.isVoidExpression(inner);
}

/** Whether a node is a function whose parameters and locals we consider (declarations, expressions, arrows, methods). */
export function isFunctionLike(node: ts.Node): node is ts.SignatureDeclaration & { body?: ts.ConciseBody } {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node)
    || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node);
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = skipOuter(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/**
 * Whether the contexts of the functions around `fn` flow into it. False for timer callbacks, event handlers,
 * `afterFunc` callbacks and methods of local classes; true for everything else (see the module comment).
 */
export function contextFlowsInto(fn: ts.Node, matcher?: ContextTypeMatcher): boolean {
  if (ts.isMethodDeclaration(fn) || ts.isConstructorDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    if (ts.isClassLike(fn.parent)) return false;
    return !(matcher && ts.isObjectLiteralExpression(fn.parent) && literalCarriesContext(fn.parent, matcher));
  }
  let child: ts.Node = fn;
  let parent = fn.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(child as ts.Expression)) {
    const name = calleeName(parent);
    if (name !== undefined && (TIMER_CALLEES.has(name) || EVENT_CALLEES.has(name))) return false;
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === child) {
    const left = parent.left;
    if (ts.isPropertyAccessExpression(left) && /^on[a-z]/.test(left.name.text)) return false;
  }
  if (ts.isPropertyAssignment(parent) && parent.initializer === child) {
    if (ts.isIdentifier(parent.name) && /^on[A-Z]/.test(parent.name.text)) return false;
    // A member of an object that carries a context is that object's: whoever calls it holds the context.
    if (matcher && literalCarriesContext(parent.parent, matcher)) return false;
  }
  return true;
}

/** Whether an object literal has a context-typed property (`{ ctx: scope.ctx, applyEdit: async () => … }`). */
function literalCarriesContext(literal: ts.ObjectLiteralExpression, matcher: ContextTypeMatcher): boolean {
  return literal.properties.some((p) =>
    (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && matcher.isContext(matcher.checker.getTypeAtLocation(p.name)));
}

/**
 * Whether `expr` carries a context as a property (a `Request` with its `signal`, a request object with `ctx`,
 * a client holding its signal): such an object owns its context, so calling its methods passes it
 * (`req.json()`, `request.applyEdit(…)`). Namespaces and modules are never holders.
 */
export function isContextHolder(expr: ts.Expression, matcher: ContextTypeMatcher): boolean {
  const e = skipOuter(expr);
  const type = typeForContextQuery(e, matcher);
  if (matcher.isContext(type) || contextPropertiesOf(type, matcher).length === 0) return false;
  const symbol = matcher.checker.getSymbolAtLocation(e);
  if (symbol && symbol.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) return false;
  const aliased = symbol && symbol.flags & ts.SymbolFlags.Alias ? matcher.checker.getAliasedSymbol(symbol) : undefined;
  return !(aliased && aliased.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule));
}

/**
 * The contexts in scope at `node`, innermost first (in one function: locals newest first, then parameters).
 * Empty outside functions. Contexts of enclosing functions are included only while {@link contextFlowsInto}
 * holds for every function in between.
 */
export function contextsInScope(node: ts.Node, matcher: ContextTypeMatcher): ScopeContext[] {
  const out: ScopeContext[] = [];
  const start = node.getStart();
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isClassLike(n)) break;
    if (!isFunctionLike(n)) continue;
    const info = functionInfo(n, matcher);
    for (let i = info.locals.length - 1; i >= 0; i--) {
      const local = info.locals[i]!;
      if (local.end > start || !isAncestor(local.container, node)) continue;
      const ctxs = local.ctxs ?? resolveLocal(local, info.owner, matcher);
      for (let j = ctxs.length - 1; j >= 0; j--) out.push(ctxs[j]!);
    }
    out.push(...info.params);
    if (!contextFlowsInto(n, matcher)) break;
  }
  return out;
}

/**
 * Speed path, before any type query: whether {@link contextsInScope} could find anything at `node` — some enclosing
 * function (up to a class) has a parameter or a local that may hold a context. False at module level and in
 * functions with neither, which are most of a typical file's calls.
 */
export function mayHaveContextInScope(node: ts.Node, matcher: ContextTypeMatcher): boolean {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isClassLike(n)) break;
    if (!isFunctionLike(n)) continue;
    if (n.parameters.length > 0 || functionInfo(n, matcher).locals.length > 0) return true;
  }
  return false;
}

function isAncestor(ancestor: ts.Node, node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** The nearest function around `node` (not `node` itself), or undefined at module level. */
export function enclosingFunction(node: ts.Node): (ts.SignatureDeclaration & { body?: ts.ConciseBody }) | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}

function functionInfo(fn: ts.SignatureDeclaration & { body?: ts.ConciseBody }, matcher: ContextTypeMatcher): FunctionInfo {
  const cache = cachesOf(matcher).functions;
  const cached = cache.get(fn);
  if (cached) return cached;
  const checker = matcher.checker;
  const info: FunctionInfo = { params: [], locals: [], owner: fn };
  cache.set(fn, info);
  for (const param of fn.parameters) {
    if (ts.isIdentifier(param.name)) {
      if (param.name.text === "this") continue;
      const type = checker.getTypeAtLocation(param.name);
      const m = matcher.match(type);
      if (m) {
        info.params.push({ text: param.name.text, kind: m.kind, typeName: m.typeName, origin: "parameter", declaration: param.name, owner: fn, optional: mayBeUndefined(type) || param.questionToken !== undefined });
        continue;
      }
      for (const p of contextPropertiesOf(type, matcher)) {
        info.params.push({ text: `${param.name.text}.${p.property}`, kind: p.kind, typeName: p.typeName, origin: "parameterProperty", declaration: param.name, owner: fn, optional: p.optional || mayBeUndefined(type) || param.questionToken !== undefined });
      }
    } else {
      for (const id of bindingIdentifiers(param.name)) {
        const m = matcher.match(checker.getTypeAtLocation(id));
        if (m) info.params.push({ text: id.text, kind: m.kind, typeName: m.typeName, origin: "parameter", declaration: id, owner: fn, optional: mayBeUndefined(checker.getTypeAtLocation(id)) });
      }
    }
  }
  if (fn.body && ts.isBlock(fn.body)) collectLocals(fn.body, info);
  return info;
}

function mayBeUndefined(type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  return type.isUnion() && type.types.some((t) => (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) !== 0);
}

function bindingIdentifiers(name: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(name)) return [name];
  const out: ts.Identifier[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...bindingIdentifiers(el.name));
  return out;
}

function collectLocals(body: ts.Block, info: FunctionInfo): void {
  const declare = (n: ts.VariableDeclaration, container: ts.Node): void => {
    // Speed path: an initializer that cannot evaluate to a context needs no type at all.
    if (ts.isIdentifier(n.name) && !n.type && n.initializer !== undefined && cannotBeContext(n.initializer)) return;
    info.locals.push({ decl: n, container, end: n.end });
  };
  const declareList = (list: ts.ForInitializer | undefined, loop: ts.Statement): void => {
    if (list && ts.isVariableDeclarationList(list)) for (const d of list.declarations) declare(d, loop); // a loop head scopes to the loop
  };
  // Declarations sit in statements only (an expression holds them only inside a function or class, which has its
  // own scope), so the walk visits statements and never descends into expressions.
  const visit = (st: ts.Statement): void => {
    switch (st.kind) {
      case ts.SyntaxKind.VariableStatement:
        for (const d of (st as ts.VariableStatement).declarationList.declarations) declare(d, st.parent);
        return;
      case ts.SyntaxKind.Block:
        (st as ts.Block).statements.forEach(visit);
        return;
      case ts.SyntaxKind.IfStatement: {
        const s = st as ts.IfStatement;
        visit(s.thenStatement);
        if (s.elseStatement) visit(s.elseStatement);
        return;
      }
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.ForOfStatement: {
        const s = st as ts.ForStatement | ts.ForInStatement | ts.ForOfStatement;
        declareList(s.initializer, s);
        visit(s.statement);
        return;
      }
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
      case ts.SyntaxKind.LabeledStatement:
      case ts.SyntaxKind.WithStatement:
        visit((st as ts.WhileStatement | ts.DoStatement | ts.LabeledStatement | ts.WithStatement).statement);
        return;
      case ts.SyntaxKind.TryStatement: {
        const s = st as ts.TryStatement;
        visit(s.tryBlock);
        if (s.catchClause) visit(s.catchClause.block);
        if (s.finallyBlock) visit(s.finallyBlock);
        return;
      }
      case ts.SyntaxKind.SwitchStatement:
        for (const clause of (st as ts.SwitchStatement).caseBlock.clauses) clause.statements.forEach(visit);
        return;
    }
  };
  body.statements.forEach(visit);
}

/** The contexts a local candidate declares (computed once; a local that is being resolved declares none meanwhile). */
function resolveLocal(local: LocalCandidate, fn: ts.SignatureDeclaration, matcher: ContextTypeMatcher): ScopeContext[] {
  const checker = matcher.checker;
  const out: ScopeContext[] = [];
  local.ctxs = out; // guards a derivation that asks for the scope at this declaration again
  const n = local.decl;
  for (const id of bindingIdentifiers(n.name)) {
    const type = checker.getTypeAtLocation(id);
    const m = matcher.match(type);
    if (m) {
      const d = deriveIdentifier(id, matcher, new Set());
      if (d.kind === "detached" || d.kind === "optOut") continue;
      out.push({ text: id.text, kind: m.kind, typeName: m.typeName, origin: "local", declaration: id, owner: fn, optional: mayBeUndefined(type) });
    } else if (ts.isIdentifier(n.name) && type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection) && type.getProperty("ctx") && type.getProperty("cancel")) {
      // A cancel scope (`using scope = withTimeout(parent, 5)`): its ctxkit Context is in scope as `scope.ctx`.
      for (const p of contextPropertiesOf(type, matcher)) {
        if (p.kind !== "ctxkit") continue;
        const d = n.initializer ? deriveContext(n.initializer, matcher) : { kind: "unknown" as const };
        if (d.kind === "detached" || d.kind === "optOut") continue;
        out.push({ text: `${id.text}.${p.property}`, kind: p.kind, typeName: p.typeName, origin: "localProperty", declaration: id, owner: fn, optional: p.optional || mayBeUndefined(type) });
      }
    }
  }
  return out;
}

const BUILTIN_CLASSES: ReadonlySet<string> = new Set(["Map", "Set", "WeakMap", "WeakSet", "WeakRef", "Array", "Date", "Error", "TypeError", "RangeError", "URL", "URLSearchParams", "Headers", "TextEncoder", "TextDecoder", "RegExp", "Promise", "Uint8Array", "ArrayBuffer", "DataView", "AbortController", "FormData", "Blob", "Response", "Request", "ReadableStream", "WritableStream", "TransformStream"]);

/**
 * Whether an initializer's syntax rules out a context value: literals, object and array literals, functions and
 * classes, templates, `typeof`/`!`/arithmetic, comparisons, and `new` of a built-in class (`new Map()`,
 * `new AbortController()`: a controller, not its signal). Both arms are asked for `a ? b : c`.
 */
function cannotBeContext(init: ts.Expression): boolean {
  const e = skipOuter(init);
  if (ts.isLiteralExpression(e) || ts.isTemplateExpression(e) || ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) return true;
  if (ts.isFunctionExpression(e) || ts.isArrowFunction(e) || ts.isClassExpression(e) || ts.isTypeOfExpression(e)) return true;
  switch (e.kind) {
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return true;
  }
  if (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) return true;
  if (ts.isConditionalExpression(e)) return cannotBeContext(e.whenTrue) && cannotBeContext(e.whenFalse);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) return cannotBeContext(e.left) && cannotBeContext(e.right);
    return op !== ts.SyntaxKind.CommaToken && (op < ts.SyntaxKind.FirstAssignment || op > ts.SyntaxKind.LastAssignment);
  }
  if (ts.isNewExpression(e)) return ts.isIdentifier(e.expression) && BUILTIN_CLASSES.has(e.expression.text);
  return false;
}

/** Context-typed, non-method properties of an object type (union members asked), cached per type. */
function contextPropertiesOf(type: ts.Type, matcher: ContextTypeMatcher): { property: string; kind: ContextKind; typeName: string; optional: boolean }[] {
  const cache = cachesOf(matcher).propsOfType;
  const cached = cache.get(type);
  if (cached) return cached;
  const out: { property: string; kind: ContextKind; typeName: string; optional: boolean }[] = [];
  cache.set(type, out);
  const checker = matcher.checker;
  // A union (`RequestInfo | URL`) is asked as a whole: only a property every member has can be read off it.
  const nonNull = checker.getNonNullableType(type);
  if (nonNull.isUnion() && !nonNull.types.every((t) => t.flags & ts.TypeFlags.Object || t.isIntersection())) return out;
  for (const member of [nonNull]) {
    if (!(member.flags & ts.TypeFlags.Object) && !member.isIntersection() && !member.isUnion()) continue;
    if (member.getCallSignatures().length > 0 || checker.isArrayType(member) || checker.isTupleType(member)) continue;
    const props = checker.getPropertiesOfType(member);
    if (props.length > 64) continue; // a platform object (a DOM element), not a request or an options bag
    for (const prop of props) {
      if (prop.flags & ts.SymbolFlags.Method || !/^[A-Za-z_$][\w$]*$/.test(prop.getName())) continue;
      const m = matcher.matchProperty(prop);
      if (m && !out.some((o) => o.property === prop.getName())) {
        out.push({ property: prop.getName(), kind: m.kind, typeName: m.typeName, optional: (prop.flags & ts.SymbolFlags.Optional) !== 0 || mayBeUndefined(checker.getTypeOfSymbol(prop)) });
      }
    }
  }
  return out;
}

/** How `expr` relates to the contexts in scope (see the module comment). Cached per node. */
export function deriveContext(expr: ts.Expression, matcher: ContextTypeMatcher): Derivation {
  return derive(expr, matcher, new Set());
}

function derive(expr: ts.Expression, matcher: ContextTypeMatcher, seen: Set<ts.Node>): Derivation {
  const cache = cachesOf(matcher).derivation;
  const cached = cache.get(expr);
  if (cached) return cached;
  const result = computeDerivation(skipOuter(expr), matcher, seen);
  cache.set(expr, result);
  return result;
}

const UNKNOWN: Derivation = { kind: "unknown" };
const DERIVED: Derivation = { kind: "derived" };

function computeDerivation(e: ts.Expression, matcher: ContextTypeMatcher, seen: Set<ts.Node>): Derivation {
  if (e.kind === ts.SyntaxKind.NullKeyword || ts.isVoidExpression(e) || (ts.isIdentifier(e) && e.text === "undefined")) return { kind: "optOut" };
  if (ts.isIdentifier(e)) return deriveIdentifier(e, matcher, seen);
  if (e.kind === ts.SyntaxKind.ThisKeyword) return { kind: "detached", reason: "field" };
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    const object = skipOuter(e.expression);
    if (object.kind === ts.SyntaxKind.ThisKeyword) {
      // `this.ctx` is a stored context; `this.controller.signal` belongs to an object the class drives itself.
      return matcher.isContext(matcher.checker.getTypeAtLocation(e)) ? { kind: "detached", reason: "field" } : UNKNOWN;
    }
    if (ts.isPropertyAccessExpression(e) && /^(None|NONE|none)$/.test(e.name.text)) return { kind: "optOut" };
    if (ts.isNewExpression(object) && isGlobalNamed(object.expression, "AbortController", matcher)) return { kind: "detached", reason: "abortController" };
    return derive(object, matcher, seen);
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) {
      return combineAny([derive(e.left, matcher, seen), derive(e.right, matcher, seen)]);
    }
    if (op === ts.SyntaxKind.EqualsToken) return derive(e.right, matcher, seen);
    return UNKNOWN;
  }
  if (ts.isConditionalExpression(e)) return combineAny([derive(e.whenTrue, matcher, seen), derive(e.whenFalse, matcher, seen)]);
  if (ts.isCallExpression(e)) return deriveCall(e, matcher, seen);
  if (ts.isNewExpression(e) && isGlobalNamed(e.expression, "AbortController", matcher)) return { kind: "detached", reason: "abortController" };
  return UNKNOWN;
}

/** Derived if any part is; detached or opted out only if every part is; otherwise unknown. */
function combineAny(parts: Derivation[]): Derivation {
  if (parts.some((p) => p.kind === "derived")) return DERIVED;
  if (parts.some((p) => p.kind === "unknown")) return UNKNOWN;
  return parts.find((p) => p.kind === "detached") ?? parts[0] ?? UNKNOWN;
}

function deriveCall(call: ts.CallExpression, matcher: ContextTypeMatcher, seen: Set<ts.Node>): Derivation {
  const callee = skipOuter(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (name === undefined) return UNKNOWN;
  if (ts.isPropertyAccessExpression(callee) && isGlobalNamed(callee.expression, "AbortSignal", matcher)) {
    if (name === "timeout") return { kind: "detached", reason: "timeout" };
    if (name === "any") {
      const arg = call.arguments[0] && skipOuter(call.arguments[0]);
      if (!arg || !ts.isArrayLiteralExpression(arg)) return UNKNOWN;
      const parts = arg.elements.map((el) => (ts.isSpreadElement(el) ? UNKNOWN : derive(el, matcher, seen)));
      return parts.some((p) => p.kind === "derived") ? DERIVED : parts.every((p) => p.kind === "detached") && parts.length > 0 ? parts[0]! : UNKNOWN;
    }
    return UNKNOWN;
  }
  const exported = ctxkitCalleeName(call, matcher);
  if (exported === undefined) return UNKNOWN;
  if (exported === "background" || exported === "todo") return { kind: "detached", reason: exported };
  if (exported === "withoutCancel") return { kind: "optOut" };
  const first = call.arguments[0];
  if (DERIVED_FROM_PARENT.has(exported)) return first ? derive(first, matcher, seen) : UNKNOWN;
  if (exported === "fromSignal") {
    return combineAny(call.arguments.slice(0, 2).map((a) => derive(a, matcher, seen)));
  }
  if (exported === "requestContext") {
    // Bound to the request: a live root even without a parent.
    const parent = call.arguments[2];
    return parent ? derive(parent, matcher, seen) : UNKNOWN;
  }
  return UNKNOWN;
}

function isGlobalNamed(expr: ts.Expression, name: string, matcher: ContextTypeMatcher): boolean {
  const e = skipOuter(expr);
  if (!ts.isIdentifier(e) || e.text !== name) return false;
  const symbol = matcher.checker.getSymbolAtLocation(e);
  const decl = symbol?.declarations?.[0];
  return decl !== undefined && !ts.isExternalModule(decl.getSourceFile());
}

/**
 * The type of an expression for the questions "is it a context?" and "does it carry one?", memoised per node: both
 * rules ask them about the same arguments and callees, and the checker recomputes an expression's type (control
 * flow included) on every `getTypeAtLocation`.
 */
export function typeForContextQuery(expr: ts.Expression, matcher: ContextTypeMatcher): ts.Type {
  const e = skipOuter(expr);
  const cache = cachesOf(matcher).exprTypes;
  let type = cache.get(e);
  if (!type) cache.set(e, (type = matcher.checker.getTypeAtLocation(e)));
  return type;
}

/** The variable an identifier refers to; for `{ signal }` the variable, not the object literal's property. */
export function valueSymbolOf(id: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  return ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);
}

function deriveIdentifier(id: ts.Identifier, matcher: ContextTypeMatcher, seen: Set<ts.Node>): Derivation {
  const checker = matcher.checker;
  const symbol = valueSymbolOf(id, checker);
  if (!symbol) return UNKNOWN;
  if (symbol.flags & ts.SymbolFlags.Alias) return { kind: "detached", reason: "global" };
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!decl || seen.has(decl)) return UNKNOWN;
  seen.add(decl);
  // Walk up binding patterns to the parameter or the variable declaration.
  let root: ts.Node = decl;
  while (ts.isBindingElement(root) || ts.isObjectBindingPattern(root) || ts.isArrayBindingPattern(root)) root = root.parent;
  if (ts.isParameter(root)) return DERIVED;
  if (!ts.isVariableDeclaration(root)) return UNKNOWN;
  const statement = root.parent.parent;
  if (ts.isVariableStatement(statement) && (ts.isSourceFile(statement.parent) || ts.isModuleBlock(statement.parent))) {
    return { kind: "detached", reason: "global" };
  }
  if (!root.initializer) return UNKNOWN;
  const d = derive(root.initializer, matcher, seen);
  if (d.kind === "detached" && d.reason === "abortController" && ts.isIdentifier(root.name) && controllerIsUsed(root.name, checker)) return UNKNOWN;
  return d;
}

/**
 * Whether a local `AbortController` is used for more than its `.signal` (aborted somewhere, passed on, stored):
 * then its signal may well be wired to the context by hand, and we cannot tell.
 */
function controllerIsUsed(name: ts.Identifier, checker: ts.TypeChecker): boolean {
  const symbol = checker.getSymbolAtLocation(name);
  const fn = enclosingFunction(name) ?? name.getSourceFile();
  let used = false;
  const visit = (n: ts.Node): void => {
    if (used) return;
    if (ts.isIdentifier(n) && n !== name && n.text === name.text && valueSymbolOf(n, checker) === symbol) {
      const p = n.parent;
      if (!(ts.isPropertyAccessExpression(p) && p.expression === n && p.name.text === "signal")) used = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  return used;
}

/** The in-scope contexts whose kind can fill a slot of `kind` (a ctxkit Context fills a signal slot as `ctx.signal`). */
export function convertibleTo(ctx: ScopeContext, kind: ContextKind): string | undefined {
  if (ctx.kind === kind) return ctx.text;
  if (ctx.kind === "ctxkit" && kind === "signal") return `${ctx.text}.signal`;
  return undefined;
}

/**
 * Whether `expr` was made by a call that `received` judges to have received the context, following locals,
 * destructuring, `await` and property reads: `retry` from `const { retry } = prepareRetries({ abortSignal })`,
 * `reader` from `const reader = (await fetch(url, { signal })).body!.getReader()`.
 */
export function boundByOrigin(expr: ts.Expression, matcher: ContextTypeMatcher, received: (call: ts.CallExpression | ts.NewExpression) => boolean, depth = 0): boolean {
  if (depth > 6) return false;
  const e = skipOuter(expr);
  if (ts.isAwaitExpression(e)) return boundByOrigin(e.expression, matcher, received, depth + 1);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return boundByOrigin(e.expression, matcher, received, depth + 1);
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
    if (received(e)) return true;
    const callee = skipOuter(e.expression);
    return ts.isPropertyAccessExpression(callee) && boundByOrigin(callee.expression, matcher, received, depth + 1);
  }
  if (!ts.isIdentifier(e)) return false;
  const decl = valueSymbolOf(e, matcher.checker)?.valueDeclaration;
  if (!decl) return false;
  let root: ts.Node = decl;
  while (ts.isBindingElement(root) || ts.isObjectBindingPattern(root) || ts.isArrayBindingPattern(root)) root = root.parent;
  if (!ts.isVariableDeclaration(root) || !root.initializer) return false;
  const statement = root.parent.parent;
  if (ts.isVariableStatement(statement) && (ts.isSourceFile(statement.parent) || ts.isModuleBlock(statement.parent))) return false;
  return boundByOrigin(root.initializer, matcher, received, depth + 1);
}

/**
 * Whether `node` sits in a branch whose condition tests `ctx` (`signal ? f(x, { signal }) : f(x)`,
 * `if (token) … else …`, `signal && …`): the code handles the context's absence on purpose.
 */
export function isGuardedBy(node: ts.Node, ctx: ScopeContext, matcher: ContextTypeMatcher): boolean {
  const symbol = matcher.checker.getSymbolAtLocation(ctx.declaration);
  const mentions = (cond: ts.Node): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && n.text === ctx.declaration.text && valueSymbolOf(n, matcher.checker) === symbol) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(cond);
    return found;
  };
  let child: ts.Node = node;
  for (let n: ts.Node | undefined = node.parent; n && n !== ctx.owner; child = n, n = n.parent) {
    if (ts.isConditionalExpression(n) && child !== n.condition && mentions(n.condition)) return true;
    if (ts.isIfStatement(n) && child !== n.expression && mentions(n.expression)) return true;
    if (ts.isBinaryExpression(n) && child === n.right && (n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken) && mentions(n.left)) return true;
  }
  return false;
}
