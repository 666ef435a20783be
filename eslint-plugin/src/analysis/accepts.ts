/**
 * Who accepts a context, and what a call passes there: the one answer shared by `no-dropped-context`,
 * `no-unbounded-await` and the language server's "Thread ctx".
 *
 * A callee **accepts a context** when one of its parameters has a context type (a *positional* slot), or is an
 * options object with a context-typed property, whatever the property is called (`signal`, `abortSignal`,
 * `token`, `cancellationToken`, `ctx`, …; optional or not) — an *option* slot. Every call and construct
 * signature of the callee's type is asked, not only the overload TypeScript resolved, because the overload
 * that takes the context is often not the one a context-less call resolves to.
 *
 * Deliberate choices:
 * - A signature tagged `@deprecated` does not count: an old overload that takes a token is no reason to report
 *   a call that uses the current API.
 * - A `readonly`, required context property does not make an options object (a `Request` has
 *   `readonly signal: AbortSignal`; `fetch(request)` is not an options bag waiting for a signal).
 * - Rest parameters are not slots (`(...args: unknown[])` accepts anything, including nothing).
 *
 * API (all functions are pure given the matcher; results for signatures and types are cached per program):
 * - {@link contextSlotsOfSignature}`(signature, matcher)` — the slots of one signature (for Thread ctx: which
 *   form a function already takes, Context first vs an AbortSignal / options bag).
 * - {@link contextSlotsOfCall}`(call, matcher)` — the slots over every usable signature of a call's callee.
 * - {@link passedAt}`(call, slot)` — what the call passes in one slot.
 * - {@link analyzeCallAcceptance}`(call, matcher)` — the above together, with the slot a fix should fill.
 * - {@link isCalleeTheContext}`(call, matcher)` — `signal.addEventListener(...)`, `token.onCancellationRequested(...)`.
 * - {@link contextUseOfCall}`(call, contextsInScope(call, matcher), matcher)` — the verdict both rules share.
 */
import ts from "typescript";
import { cannotHoldContext, type ContextKind, type ContextTypeMatcher } from "./contextTypes";
import { skipOuter } from "./ctxkitApi";
import { boundByOrigin, convertibleTo, deriveContext, isContextHolder, typeForContextQuery, valueSymbolOf, type DetachedReason, type ScopeContext } from "./scope";

/** A context-typed parameter: `f(ctx: Context)`, `g(x, signal?: AbortSignal)`. */
export interface PositionalSlot {
  form: "positional";
  /** Zero-based argument index. */
  index: number;
  kind: ContextKind;
  /** Short type name for messages: `Context`, `AbortSignal`, `CancellationToken`. */
  typeName: string;
  /** The parameter may be left out (`?`, a default, or a type that includes `undefined`). */
  optional: boolean;
  /** The parameter's name in the declaration (`ctx`, `signal`, `token`). */
  paramName: string;
}

/** An options object with a context-typed property: `fetch(url, { signal })`, `run(job, { token })`. */
export interface OptionSlot {
  form: "option";
  /** Zero-based argument index of the options object. */
  index: number;
  /** The property that carries the context, as declared (`signal`, `abortSignal`, `cancellationToken`, …). */
  property: string;
  kind: ContextKind;
  typeName: string;
  /** The options object itself may be left out. */
  optional: boolean;
  /** The property may be left out of the options object. */
  propertyOptional: boolean;
  paramName: string;
}

export type ContextSlot = PositionalSlot | OptionSlot;

/**
 * What a call passes in a slot.
 * - `missing`: nothing — the argument, or the property of an options object literal, is absent
 *   (`literal` is that object literal when there is one, so a fix can add the property).
 * - `optOut`: an explicit "no context": `undefined`, `null`, `void 0`, or a `None`-style constant
 *   (`CancellationToken.None`), in the argument or as the property's value. Respected, never reported.
 * - `maybe`: the argument list or the options object has a spread, or the options object is a variable or a
 *   call result: it may carry the context; never reported.
 * - `passed`: an expression; callers decide whether it is derived from the context in scope (see scope.ts).
 */
export type Passed =
  | { state: "missing"; literal?: ts.ObjectLiteralExpression }
  | { state: "optOut"; node: ts.Expression }
  | { state: "maybe"; node: ts.Node }
  | { state: "passed"; node: ts.Expression };

/** The verdict on one call: its slots, and the one slot a diagnostic or fix is about. */
export interface CallAcceptance {
  /** Every slot over every non-deprecated signature, deduplicated, in signature order. */
  slots: ContextSlot[];
  /** The slot the call is judged by: the first that the call fills, else the best one to fill. */
  slot: ContextSlot;
  passed: Passed;
  /** What the call passes in every slot (same order as `slots`). */
  passedPerSlot: Passed[];
}

interface Caches {
  signature: Map<ts.Signature, ContextSlot[]>;
  optionProps: Map<ts.Type, { property: string; kind: ContextKind; typeName: string; optional: boolean }[]>;
  call: WeakMap<ts.Node, ContextSlot[]>;
  reads: WeakMap<ts.ParameterDeclaration, Map<string, boolean>>;
}

// Speed path: the same signatures (fetch, a project's helpers) and option types are asked about on every call
// site, so their slots are computed once per matcher (one matcher per program and option set).
const caches = new WeakMap<ContextTypeMatcher, Caches>();

function cachesOf(matcher: ContextTypeMatcher): Caches {
  let c = caches.get(matcher);
  if (!c) caches.set(matcher, (c = { signature: new Map(), optionProps: new Map(), call: new WeakMap(), reads: new WeakMap() }));
  return c;
}

// Speed path: a declaration's JSDoc is parsed for every call of it otherwise (instantiated signatures share it).
const deprecated = new WeakMap<ts.Node, boolean>();

/** Whether a signature is marked `@deprecated` (such overloads do not count as accepting a context). */
export function isDeprecatedSignature(signature: ts.Signature): boolean {
  const decl = signature.getDeclaration() as ts.SignatureDeclaration | undefined;
  if (decl === undefined) return false;
  let is = deprecated.get(decl);
  if (is === undefined) deprecated.set(decl, (is = ts.getJSDocDeprecatedTag(decl) !== undefined));
  return is;
}

/** The context slots of one signature, in parameter order (an options object can give several slots). */
export function contextSlotsOfSignature(signature: ts.Signature, matcher: ContextTypeMatcher): ContextSlot[] {
  const cache = cachesOf(matcher).signature;
  const cached = cache.get(signature);
  if (cached) return cached;
  const slots: ContextSlot[] = [];
  const checker = matcher.checker;
  signature.parameters.forEach((param, index) => {
    const decl = param.valueDeclaration;
    if (decl && ts.isParameter(decl) && (decl.dotDotDotToken || (decl.type && cannotHoldContext(decl.type)))) return;
    if (param.getName() === "this") return;
    const type = checker.getTypeOfSymbol(param);
    const optional = (decl !== undefined && ts.isParameter(decl) && checker.isOptionalParameter(decl)) || acceptsUndefined(type);
    const paramName = param.getName();
    const m = matcher.match(type);
    if (m) {
      slots.push({ form: "positional", index, kind: m.kind, typeName: m.typeName, optional, paramName });
      return;
    }
    for (const p of optionPropertiesOf(type, matcher)) {
      if (decl && ts.isParameter(decl) && !readsProperty(decl, p.property, matcher)) continue;
      slots.push({ form: "option", index, property: p.property, kind: p.kind, typeName: p.typeName, optional, propertyOptional: p.optional, paramName });
    }
  });
  cache.set(signature, slots);
  return slots;
}

/** Context-typed properties of an options-object type (each union member asked), cached per type. */
function optionPropertiesOf(type: ts.Type, matcher: ContextTypeMatcher): { property: string; kind: ContextKind; typeName: string; optional: boolean }[] {
  const cache = cachesOf(matcher).optionProps;
  const cached = cache.get(type);
  if (cached) return cached;
  const out: { property: string; kind: ContextKind; typeName: string; optional: boolean }[] = [];
  cache.set(type, out);
  const checker = matcher.checker;
  const members = type.isUnion() ? type.types : [type];
  for (const member of members) {
    if (!(member.flags & ts.TypeFlags.Object) && !member.isIntersection()) continue;
    if (member.getCallSignatures().length > 0 || member.getConstructSignatures().length > 0) continue;
    if (checker.isArrayType(member) || checker.isTupleType(member)) continue;
    if (matcher.isContext(member)) continue;
    for (const prop of checker.getPropertiesOfType(member)) {
      if (prop.flags & ts.SymbolFlags.Method) continue;
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
      if (!optional && isReadonlyProperty(prop)) continue;
      const m = matcher.matchProperty(prop);
      if (!m || out.some((o) => o.property === prop.getName())) continue;
      out.push({ property: prop.getName(), kind: m.kind, typeName: m.typeName, optional });
    }
  }
  return out;
}

/**
 * Whether a function may read `property` of its options parameter: a destructuring that names it (or has a
 * rest), or, for an identifier with a body at hand, any use other than reading a different property. A callee
 * that never looks at the signal does not accept one (`function format({ body }: RequestOptions)`).
 */
function readsProperty(param: ts.ParameterDeclaration, property: string, matcher: ContextTypeMatcher): boolean {
  // Speed path: every instantiation of a generic callee asks again about the same parameter (per declaration).
  // Per matcher, i.e. per program: TypeScript's incremental parser reuses an unchanged parameter's node in the
  // next program while the body around it changed, so a cache keyed by the node alone would answer for the old body.
  const readsCache = cachesOf(matcher).reads;
  const checker = matcher.checker;
  let byProperty = readsCache.get(param);
  if (!byProperty) readsCache.set(param, (byProperty = new Map()));
  let reads = byProperty.get(property);
  if (reads === undefined) byProperty.set(property, (reads = computeReadsProperty(param, property, checker)));
  return reads;
}

function computeReadsProperty(param: ts.ParameterDeclaration, property: string, checker: ts.TypeChecker): boolean {
  const name = param.name;
  if (ts.isObjectBindingPattern(name)) {
    return name.elements.some((el) => {
      if (el.dotDotDotToken) return true;
      const key = el.propertyName ?? (ts.isIdentifier(el.name) ? el.name : undefined);
      if (!key) return true;
      const text = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
      return text === undefined || text === property;
    });
  }
  if (!ts.isIdentifier(name)) return true;
  const fn = param.parent;
  const body = (fn as { body?: ts.Node }).body;
  if (!body || fn.getSourceFile().isDeclarationFile) return true;
  const symbol = checker.getSymbolAtLocation(name);
  let reads = false;
  const visit = (n: ts.Node): void => {
    if (reads) return;
    if (ts.isIdentifier(n) && n.text === name.text && n !== name && valueSymbolOf(n, checker) === symbol) {
      const p = n.parent;
      const other = ts.isPropertyAccessExpression(p) && p.expression === n && p.name.text !== property;
      if (!other) reads = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return reads;
}

function isReadonlyProperty(prop: ts.Symbol): boolean {
  const decls = prop.getDeclarations() ?? [];
  return decls.length > 0 && decls.every((d) => (ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly) !== 0 || (ts.isGetAccessorDeclaration(d) && !decls.some(ts.isSetAccessorDeclaration)));
}

function acceptsUndefined(type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  return type.isUnion() && type.types.some((t) => (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0);
}

/** Every call (or construct) signature of the callee's type, union members included. */
export function signaturesOfCallee(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): readonly ts.Signature[] {
  const checker = matcher.checker;
  const type = checker.getTypeAtLocation(call.expression);
  const kind = ts.isNewExpression(call) ? ts.SignatureKind.Construct : ts.SignatureKind.Call;
  const direct = checker.getSignaturesOfType(type, kind);
  if (direct.length > 0 || !type.isUnion()) return direct;
  return type.types.flatMap((t) => checker.getSignaturesOfType(t, kind));
}

/**
 * Every context slot over every non-deprecated signature of the callee, deduplicated by position (and
 * property). Empty when the callee accepts no context. The resolved signature's slots come first.
 */
export function contextSlotsOfCall(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): ContextSlot[] {
  const cache = cachesOf(matcher).call;
  let slots = cache.get(call);
  if (!slots) cache.set(call, (slots = computeSlotsOfCall(call, matcher)));
  return slots;
}

function computeSlotsOfCall(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): ContextSlot[] {
  const signatures = signaturesOfCallee(call, matcher);
  if (signatures.length === 0) return [];
  if (signatures.length === 1) return isDeprecatedSignature(signatures[0]!) ? [] : contextSlotsOfSignature(signatures[0]!, matcher);
  // Speed path: most overloaded callees (lib methods) take no context in any overload; resolving the call (a full
  // check of its arguments on a program not checked in advance) is only needed to order the slots there are.
  if (signatures.every((sig) => isDeprecatedSignature(sig) || contextSlotsOfSignature(sig, matcher).length === 0)) return [];
  const resolved = matcher.checker.getResolvedSignature(call);
  // The resolved signature of a generic is an instantiation; its declaration tells which overload it is.
  const resolvedDecl = resolved?.getDeclaration();
  const ordered = [...signatures].sort((a, b) => Number(b.getDeclaration() === resolvedDecl) - Number(a.getDeclaration() === resolvedDecl));
  const out: ContextSlot[] = [];
  for (const sig of ordered) {
    if (isDeprecatedSignature(sig)) continue;
    for (const slot of contextSlotsOfSignature(sig, matcher)) {
      if (!out.some((s) => sameSlot(s, slot))) out.push(slot);
    }
  }
  return out;
}

function sameSlot(a: ContextSlot, b: ContextSlot): boolean {
  if (a.form !== b.form || a.index !== b.index) return false;
  return a.form === "positional" || (b.form === "option" && a.property === b.property);
}

/** Whether an expression is an explicit "no context": `undefined`, `null`, `void 0`, `X.None`. */
export function isOptOut(expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  if (e.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isIdentifier(e) && e.text === "undefined") return true;
  if (ts.isVoidExpression(e)) return true;
  if (ts.isPropertyAccessExpression(e) && /^(None|NONE|none)$/.test(e.name.text)) return true;
  return false;
}

/** What `call` passes in `slot`. */
export function passedAt(call: ts.CallExpression | ts.NewExpression, slot: ContextSlot): Passed {
  const args = call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  for (let i = 0; i < args.length && i <= slot.index; i++) {
    const a = args[i]!;
    if (ts.isSpreadElement(a)) return { state: "maybe", node: a };
  }
  const arg = args[slot.index];
  if (arg === undefined) return { state: "missing" };
  if (isOptOut(arg)) return { state: "optOut", node: arg };
  if (slot.form === "positional") return { state: "passed", node: arg };
  const inner = skipOuter(arg);
  if (!ts.isObjectLiteralExpression(inner)) return { state: "maybe", node: arg };
  let spread: ts.Node | undefined;
  for (const p of inner.properties) {
    if (ts.isSpreadAssignment(p)) spread = p;
    const name = p.name && propertyNameText(p.name);
    if (name !== slot.property) continue;
    if (ts.isShorthandPropertyAssignment(p)) return isOptOut(p.name) ? { state: "optOut", node: p.name } : { state: "passed", node: p.name };
    if (ts.isPropertyAssignment(p)) return isOptOut(p.initializer) ? { state: "optOut", node: p.initializer } : { state: "passed", node: p.initializer };
    return { state: "maybe", node: p }; // a getter or method named like the property
  }
  // A spread after the last explicit property may set it.
  if (spread) return { state: "maybe", node: spread };
  return { state: "missing", literal: inner };
}

function propertyNameText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return undefined;
}

/**
 * The slots of `call` and what it passes in each, or `undefined` when the callee accepts no context.
 * `slot` is the first slot the call fills (`passed`, `optOut` or `maybe`); when none is filled, the slot a fix
 * should fill: an option slot whose options literal is already written, else a slot right after the last
 * argument (appendable), else the first.
 */
export function analyzeCallAcceptance(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): CallAcceptance | undefined {
  const slots = contextSlotsOfCall(call, matcher);
  if (slots.length === 0) return undefined;
  const passedPerSlot = slots.map((s) => passedAt(call, s));
  let best = passedPerSlot.findIndex((p) => p.state !== "missing");
  if (best < 0) best = passedPerSlot.findIndex((p) => p.state === "missing" && p.literal !== undefined);
  const argCount = call.arguments?.length ?? 0;
  if (best < 0) best = slots.findIndex((s) => s.index === argCount);
  if (best < 0) best = 0;
  return { slots, slot: slots[best]!, passed: passedPerSlot[best]!, passedPerSlot };
}

/**
 * Whether the callee is a member of a context (`signal.addEventListener`, `ctx.value`, `token.onCancellationRequested`):
 * such a call works on the context itself and never drops it.
 */
export function isCalleeTheContext(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): boolean {
  const callee = skipOuter(call.expression);
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return false;
  return matcher.isContext(typeForContextQuery(callee.expression, matcher));
}

/**
 * How a call treats the contexts in scope — the single judgement behind `no-dropped-context` (which reports
 * `missing` and `detached`) and `no-unbounded-await` (which leaves every call that accepts a compatible
 * context to that rule: one report per site).
 * - `none`: the callee accepts no context; `self`: the callee is a member of a context, or a method of an object
 *   that carries one (`req.json()`, `request.applyEdit(…)`: the holder passes its own context).
 * - `received`: some argument (or a property of an object-literal argument, or an element of an array-literal
 *   argument) is derived from a context in scope, in any slot or none (`once(signal, "abort")`,
 *   `fromSignal(background(), signal)`).
 * - `optOut`, `maybe`, `unknown`: an explicit opt-out, a spread or variable options object, or a context of unknown
 *   origin in the judged slot: never reported.
 * - `missing`, `detached`: the judged slot gets nothing, or a detached context (`reason`). `target` is the
 *   in-scope context to pass instead and `text` the expression that fills the slot (`ctx`, `ctx.signal`);
 *   `text` is undefined when the slot wants a ctxkit `Context` and only a signal is in scope (`fromSignal`).
 * - `incompatible`: the callee wants a kind that nothing in scope can provide (a vscode token, a ctxkit Context
 *   with only a cancellation token around).
 */
export type ContextUse =
  | { state: "none" | "self" | "received" | "optOut" | "maybe" | "unknown" }
  | { state: "incompatible"; acceptance: CallAcceptance }
  | { state: "missing"; acceptance: CallAcceptance; target: ScopeContext; text: string | undefined }
  | { state: "detached"; acceptance: CallAcceptance; reason: DetachedReason; node: ts.Expression; target: ScopeContext; text: string | undefined };

/** Judges `call` against `scope` (the result of `contextsInScope(call, matcher)`); see {@link ContextUse}. */
export function contextUseOfCall(call: ts.CallExpression | ts.NewExpression, scope: readonly ScopeContext[], matcher: ContextTypeMatcher): ContextUse {
  if (isCalleeTheContext(call, matcher) || isCalleeOfHolder(call, matcher)) return { state: "self" };
  if (calleeBoundByOrigin(call, matcher)) return { state: "self" };
  const args = argumentsReceiveContext(call, matcher);
  if (args === "derived") return { state: "received" };
  if (args === "unknown") return { state: "unknown" };
  if (isExemptCallee(call, matcher)) return { state: "none" };
  const acceptance = analyzeCallAcceptance(call, matcher);
  if (!acceptance) return { state: "none" };
  const { passed, slot } = acceptance;
  if (passed.state === "optOut" || passed.state === "maybe") return { state: passed.state };
  let reason: DetachedReason | undefined;
  if (passed.state === "passed") {
    const d = deriveContext(passed.node, matcher);
    if (d.kind === "derived") return { state: "received" };
    if (d.kind === "optOut") return { state: "optOut" };
    if (d.kind === "unknown") return { state: "unknown" };
    reason = d.reason;
  }
  // Contexts that are always there first: passing `signal?: AbortSignal` to a required parameter would not type-check.
  const target = scope.find((c) => c.kind === slot.kind && !c.optional) ?? scope.find((c) => convertibleTo(c, slot.kind) !== undefined && !c.optional)
    ?? scope.find((c) => c.kind === slot.kind) ?? scope.find((c) => convertibleTo(c, slot.kind) !== undefined);
  const fromSignal = slot.kind === "ctxkit" ? scope.find((c) => c.kind === "signal") : undefined;
  const chosen = target ?? fromSignal;
  if (!chosen) return { state: "incompatible", acceptance };
  const text = target ? convertibleTo(target, slot.kind) : undefined;
  if (passed.state === "passed") return { state: "detached", acceptance, reason: reason!, node: passed.node, target: chosen, text };
  return { state: "missing", acceptance, target: chosen, text };
}

/**
 * `derived` when any argument, object-literal property value or array-literal element is derived from a context
 * in scope; `unknown` when one is a context of unknown origin (`once(stop.signal, "abort")`) or an object that
 * carries a context (`fetch(request)`, `iterate(response, controller)`): it may be the one in scope; else false.
 */
function argumentsReceiveContext(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): "derived" | "unknown" | false {
  let unknown = false;
  const visit = (e: ts.Expression): boolean => {
    const inner = skipOuter(e);
    if (ts.isObjectLiteralExpression(inner)) {
      return inner.properties.some((p) => (ts.isPropertyAssignment(p) && visit(p.initializer)) || (ts.isShorthandPropertyAssignment(p) && visit(p.name)));
    }
    if (ts.isArrayLiteralExpression(inner)) return inner.elements.some((el) => !ts.isSpreadElement(el) && visit(el));
    if (ts.isFunctionLike(inner) || ts.isLiteralExpression(inner)) return false;
    const type = typeForContextQuery(inner, matcher);
    if (!matcher.isContext(type)) {
      if (isContextHolder(inner, matcher)) unknown = true;
      return false;
    }
    const d = deriveContext(inner, matcher).kind;
    if (d === "unknown") unknown = true;
    return d === "derived";
  };
  if ((call.arguments ?? []).some((a) => !ts.isSpreadElement(a) && visit(a))) return "derived";
  return unknown ? "unknown" : false;
}

/**
 * Callees whose context option is not about cancelling work: `addEventListener` (its `signal` removes the
 * listener), `pipeThrough` (the piped stream fails with its source; the abort belongs to the source or the final
 * `pipeTo`), and Node's crypto factories (`createHash(…)` takes a `signal` only through generic stream options).
 */
function isExemptCallee(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): boolean {
  const callee = skipOuter(call.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (name === "addEventListener" || name === "pipeThrough") return true;
  if (name === undefined || !/^create[A-Z]/.test(name)) return false;
  const decl = matcher.checker.getResolvedSignature(call)?.getDeclaration();
  return decl !== undefined && /[\\/]@types[\\/]node[\\/]crypto\.d\.ts$/.test(decl.getSourceFile().fileName);
}

/** Whether the callee is a method of an object that carries a context (see `isContextHolder` in scope.ts). */
function isCalleeOfHolder(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): boolean {
  const callee = skipOuter(call.expression);
  return ts.isPropertyAccessExpression(callee) && callee.expression.kind !== ts.SyntaxKind.ThisKeyword && isContextHolder(callee.expression, matcher);
}

/**
 * Whether the callee was made by a call that received the context: `const { retry } = prepareRetries({ abortSignal })`
 * then `retry(…)`; `const res = await fetch(url, { signal })` then `res.clone()`.
 */
function calleeBoundByOrigin(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): boolean {
  const callee = skipOuter(call.expression);
  const root = ts.isPropertyAccessExpression(callee) ? skipOuter(callee.expression) : callee;
  // A context of unknown origin counts too (`create(body, { signal: this.controller.signal }).withResponse()`).
  return boundByOrigin(root, matcher, (c) => argumentsReceiveContext(c, matcher) !== false);
}

/**
 * Whether a call returns plain data synchronously, so that a context could not cancel anything it starts:
 * every member of its return type is a primitive, an array or tuple, or an object with no callable members —
 * or an object that carries the options it was given onward (`resolveOptions(params)` returning the request
 * options, signal slot included: the context is checked where those options are used). `closestPeers(id,
 * { count })` returning `PeerId[]` and `spanSettings(client, { body })` are such calls. Everything else may keep
 * running after it returns and is live: a thenable, an (async) iterable, a stream, a class instance with
 * methods, a function, `void` (a registration such as `on(event, fn, { signal })`), `any`/`unknown` and type
 * parameters.
 */
export function returnsPlainData(call: ts.CallExpression | ts.NewExpression, slot: ContextSlot, matcher: ContextTypeMatcher): boolean {
  const checker = matcher.checker;
  const signature = checker.getResolvedSignature(call);
  if (!signature) return false;
  const type = ts.isNewExpression(call) ? checker.getTypeAtLocation(call) : checker.getReturnTypeOfSignature(signature);
  const members = type.isUnion() ? type.types : [type];
  let data = false;
  for (const member of members) {
    const flags = member.flags;
    if (flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) continue;
    if (flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.EnumLike)) {
      data = true;
      continue;
    }
    if (!(flags & ts.TypeFlags.Object) && !member.isIntersection()) return false; // void, any, unknown, never, T
    if (checker.isArrayType(member) || checker.isTupleType(member)) {
      data = true;
      continue;
    }
    if (!isPlainObject(member, slot, matcher)) return false;
    data = true;
  }
  return data;
}

function isPlainObject(type: ts.Type, slot: ContextSlot, matcher: ContextTypeMatcher): boolean {
  const checker = matcher.checker;
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0 || matcher.isContext(type)) return false;
  const props = checker.getPropertiesOfType(type);
  if (props.some((p) => p.getName() === "then" || p.getName().startsWith("__@asyncIterator") || p.getName().startsWith("__@iterator"))) return false;
  const property = slot.form === "option" ? slot.property : undefined;
  const carriesOptions = property !== undefined && props.some((p) => {
    const propType = checker.getNonNullableType(checker.getTypeOfSymbol(p));
    const inner = propType.getProperty(property);
    return inner !== undefined && matcher.match(checker.getTypeOfSymbol(inner)) !== undefined;
  });
  if (carriesOptions) return true;
  return !props.some((p) => (p.flags & ts.SymbolFlags.Method) !== 0 || checker.getTypeOfSymbol(p).getCallSignatures().length > 0);
}
