/**
 * no-unbounded-await: in a function that has a context, an `await` (or `for await`) on something that context
 * cannot cancel — a promise the context never reached.
 *
 * Bounded (never reported): non-thenables and already-resolved values; a call that received the context (any
 * argument derived from it); `race(ctx, …)` and `sleep(ctx, …)` (they receive it); `Promise.race` with one
 * bounded member (`ctx.done()`, an abort promise); `Promise.all`/`allSettled`/`any` and `.then`/`.catch`/
 * `.finally` chains over bounded promises; the body of a `Response` whose `fetch` received the signal; a
 * `new Promise` whose executor uses the context (abort wiring); calls of functions written inside the
 * function (their own awaits are checked); configured bounding helpers (`boundingFunctions`).
 *
 * One report per site: a call that accepts a context the scope can give is `no-dropped-context`'s business
 * (passing nothing or a detached context), and work under `withoutCancel(ctx)` is an explicit opt-out.
 */
import { ESLintUtils, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { contextSlotsOfSignature, contextUseOfCall, isOptOut } from "../analysis/accepts";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { ctxkitCalleeName, skipOuter } from "../analysis/ctxkitApi";
import { absentWhen, contextsInScope, enclosingFunction, inBranchWithoutContext, isFunctionLike, valueSymbolOf, type ScopeContext } from "../analysis/scope";
import { ctxkitImport } from "../util/ctxkitImport";
import { createRule } from "../util/createRule";

type Options = [{ contextTypes?: ContextTypeSpec[]; boundingFunctions?: string[] }];
type MessageIds = "unbounded" | "wrapInRace";

/** Why an awaited value is unbounded, for the message. */
type Verdict = { bounded: true } | { bounded: false; what: string } | { bounded: "unknown" };

const BOUNDED: Verdict = { bounded: true };
const UNKNOWN: Verdict = { bounded: "unknown" };
const CLEANUP: ReadonlySet<string> = new Set(["close", "return", "abort", "destroy", "dispose", "releaseLock", "unsubscribe"]);
const BODY_READS: ReadonlySet<string> = new Set(["json", "text", "arrayBuffer", "blob", "formData", "bytes"]);

export default createRule<Options, MessageIds>({
  name: "no-unbounded-await",
  meta: {
    type: "problem",
    docs: {
      description: "Disallow awaiting, in a function that has a context, work that the context cannot cancel",
      recommended: true,
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    messages: {
      unbounded: "This {{await}} waits on {{what}}; `{{ctx}}` cannot cancel it: {{advice}}.",
      wrapInRace: "Wrap it in `{{race}}({{ctx}}, …)`.",
    },
    schema: [
      {
        type: "object",
        properties: {
          contextTypes: contextTypesSchema,
          boundingFunctions: {
            type: "array",
            description: "Functions whose result is bounded by the context (project helpers that race their argument), by name or as written (`util.withAbort`).",
            items: { type: "string", minLength: 1 },
          },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context);
    const matcher = getContextTypeMatcher(services.program, options.contextTypes);
    const checker = matcher.checker;
    const bounding = new Set(options.boundingFunctions ?? []);
    // Speed path: whether a function opts out with `withoutCancel`, asked once per function.
    const optOutAt = new Map<ts.Node, number | null>();
    // Per file: whether an async function of the program does no I/O (see isCpuOnly).
    const cpuOnly = new Map<ts.Node, boolean>();
    // Per file: whether the context's abort cancels a variable (see isCancelledOnAbort).
    const cancelledOnAbort = new Map<ts.Symbol, boolean>();

    function withoutCancelStart(fn: ts.Node): number | null {
      const cached = optOutAt.get(fn);
      if (cached !== undefined) return cached;
      let at: number | null = null;
      const visit = (n: ts.Node): void => {
        if (at !== null || (n !== fn && (isFunctionLike(n) || ts.isClassLike(n)))) return;
        if (ts.isCallExpression(n) && /withoutCancel$/.test(n.expression.getText()) && ctxkitCalleeName(n, matcher) === "withoutCancel") at = n.getStart();
        ts.forEachChild(n, visit);
      };
      ts.forEachChild(fn, visit);
      optOutAt.set(fn, at);
      return at;
    }

    // Speed path: a file that never names `withoutCancel` has no opt-out to look for.
    const mayOptOut = services.program.getSourceFile(context.filename)?.text.includes("withoutCancel") ?? true;

    function optedOut(node: ts.Node): boolean {
      if (!mayOptOut) return false;
      for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
        const at = withoutCancelStart(fn);
        if (at !== null && at < node.getStart()) return true;
      }
      return false;
    }

    function isThenable(type: ts.Type): boolean | undefined {
      if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => {
        const then = t.getProperty("then");
        return then !== undefined && checker.getTypeOfSymbol(then).getCallSignatures().length > 0;
      });
    }

    /** Declared inside the function (or an enclosing one): a local helper whose own awaits this rule checks. */
    function isLocalFunction(callee: ts.Expression, scope: readonly ScopeContext[]): boolean {
      const e = skipOuter(callee);
      if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return true;
      if (!ts.isIdentifier(e)) return false;
      const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
      if (!decl) return false;
      const fnDecl = ts.isFunctionDeclaration(decl) ? decl : ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(skipOuter(decl.initializer)) || ts.isFunctionExpression(skipOuter(decl.initializer))) ? decl : undefined;
      if (!fnDecl) return false;
      return scope.some((c) => c.owner.pos <= fnDecl.pos && fnDecl.end <= c.owner.end && c.owner !== fnDecl);
    }

    /**
     * A callback handed in by the caller — a function-typed parameter (`async (f) => await f()`), or a
     * function-typed property of a parameter (`await options.onFinish?.(result)`), not a method: the caller made
     * it with its context at hand, so the bound is the caller's to give.
     */
    function isCallbackPassedIn(callee: ts.Expression): boolean {
      const e = skipOuter(callee);
      const root = ts.isPropertyAccessExpression(e) ? rootIdentifier(e) : e;
      if (!root || !ts.isIdentifier(root)) return false;
      const decl = declarationOf(root);
      if (decl && e === root && ts.isVariableDeclaration(decl) && isLookedUpCallback(decl)) return true;
      if (!decl || !ts.isParameter(decl)) return false;
      if (e === root) return true;
      const prop = ts.isPropertyAccessExpression(e) ? checker.getSymbolAtLocation(e.name) : undefined;
      return prop !== undefined && (prop.flags & ts.SymbolFlags.Property) !== 0 && !(prop.flags & ts.SymbolFlags.Method);
    }

    /** The declaration an identifier's variable comes from: a destructured name gives its parameter or variable. */
    function declarationOf(id: ts.Identifier): ts.Node | undefined {
      let decl: ts.Node | undefined = valueSymbolOf(id, checker)?.valueDeclaration;
      while (decl && (ts.isBindingElement(decl) || ts.isObjectBindingPattern(decl) || ts.isArrayBindingPattern(decl))) decl = decl.parent;
      return decl;
    }

    /**
     * A `const` holding a function taken out of what the caller passed in: `const refine = getOwn(refiners, name)`,
     * `const handler = handlers[name]` (`refiners`, `handlers` parameters or their properties).
     */
    function isLookedUpCallback(decl: ts.VariableDeclaration): boolean {
      if (!decl.initializer || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) || !ts.isIdentifier(decl.name)) return false;
      const init = skipOuter(decl.initializer);
      const fromParameter = (x: ts.Expression): boolean => {
        const id = rootIdentifier(x);
        const d = id && declarationOf(id);
        return d !== undefined && ts.isParameter(d);
      };
      // `handlers[name]`, `handlers.get(name)` (the receiver is the caller's), `getOwn(handlers, name)` (a helper's first argument).
      const callee = ts.isCallExpression(init) ? skipOuter(init.expression) : undefined;
      const lookedUp = ts.isElementAccessExpression(init)
        ? fromParameter(init.expression)
        : ts.isCallExpression(init) && callee !== undefined && (ts.isPropertyAccessExpression(callee) ? fromParameter(callee.expression) : init.arguments.length > 0 && fromParameter(init.arguments[0]!));
      if (!lookedUp) return false;
      // A generic lookup (`refiners[name]` of a mapped type) is a function through its constraint.
      const type = checker.getTypeAtLocation(decl.name);
      return isFunctionOrFunctions(type) || isFunctionOrFunctions(checker.getBaseConstraintOfType(type) ?? type);
    }

    /**
     * A hook slot: a function-typed property (declared as a property, not a method) of a parameter, of `this`, or
     * of a local (`await telemetryDispatcher.onError?.(…)`, `await this.settings.onFinish(…)`). Whoever filled the
     * slot made the function with their own context at hand; it has no context parameter to pass.
     */
    function isCallbackSlot(callee: ts.Expression): boolean {
      const e = skipOuter(callee);
      if (!ts.isPropertyAccessExpression(e)) return false;
      const prop = checker.getSymbolAtLocation(e.name);
      if (!prop || !(prop.flags & ts.SymbolFlags.Property) || prop.flags & ts.SymbolFlags.Method) return false;
      if (!(prop.declarations ?? []).some((d) => (ts.isPropertySignature(d) || ts.isPropertyDeclaration(d)) && d.type !== undefined && isFunctionTypeNode(d.type))) return false;
      let root: ts.Expression = skipOuter(e.expression);
      while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipOuter(root.expression);
      if (root.kind === ts.SyntaxKind.ThisKeyword) return true;
      if (!ts.isIdentifier(root)) return false;
      const decl = declarationOf(root);
      if (!decl) return false;
      if (ts.isParameter(decl)) return true;
      return ts.isVariableDeclaration(decl) && enclosingFunction(decl) !== undefined;
    }

    /** `(e: E) => R`, `((e: E) => R) | undefined`, `Arrayable<Callback<E>>`-like aliases are judged by type below. */
    function isFunctionTypeNode(node: ts.TypeNode): boolean {
      if (ts.isFunctionTypeNode(node)) return true;
      if (ts.isParenthesizedTypeNode(node)) return isFunctionTypeNode(node.type);
      if (ts.isUnionTypeNode(node)) return node.types.some(isFunctionTypeNode);
      const type = checker.getTypeFromTypeNode(node);
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => t.getCallSignatures().length > 0 && t.getProperties().length === 0);
    }

    /**
     * Cleanup on the way out: cancelling or closing something (`reader.cancel()`, `body.cancel()`,
     * `iterator.return()`, `stream.close()`, `cancelResponseBody(res)`). Racing it would leave the thing open.
     */
    function isCleanupCall(call: ts.CallExpression): boolean {
      let callee = skipOuter(call.expression);
      // `Reflect.apply(returnMethod, iterator, [])` with `const returnMethod = iterator.return`: the method it names.
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === "apply" && ts.isIdentifier(callee.expression) && callee.expression.text === "Reflect" && call.arguments[0]) {
        callee = skipOuter(call.arguments[0]);
        if (ts.isIdentifier(callee)) {
          const decl = valueSymbolOf(callee, checker)?.valueDeclaration;
          if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) callee = skipOuter(decl.initializer);
        }
        if (!ts.isPropertyAccessExpression(callee)) return false;
      }
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      return name !== undefined && (CLEANUP.has(name) || /^cancel/i.test(name));
    }

    /** A context handed over in a spread (`sleep(ms, ...signals)`) or an array (`resolve(op, signals)`). */
    function passesSignals(call: ts.CallExpression): boolean {
      return call.arguments.some((a) => {
        const type = checker.getTypeAtLocation(ts.isSpreadElement(a) ? a.expression : a);
        if (!checker.isArrayType(type) && !checker.isTupleType(type)) return false;
        return checker.getTypeArguments(type as ts.TypeReference).some((t) => matcher.isContext(t));
      });
    }

    /**
     * A helper that calls the callbacks it is handed (`notify({ event, callbacks: [dispatcher.onStart] })`): some
     * argument, property of an object-literal argument or element of an array-literal one passes on a callback
     * from the caller (a function-typed parameter or a hook slot). The callbacks' bound is their maker's.
     */
    function passesCallbacks(call: ts.CallExpression): boolean {
      const isCallback = (e: ts.Expression, depth: number): boolean => {
        const inner = skipOuter(e);
        if (ts.isObjectLiteralExpression(inner)) {
          return depth < 2 && inner.properties.some((p) => (ts.isPropertyAssignment(p) && isCallback(p.initializer, depth + 1)) || (ts.isShorthandPropertyAssignment(p) && isCallback(p.name, depth + 1)));
        }
        if (ts.isArrayLiteralExpression(inner)) return depth < 2 && inner.elements.some((el) => !ts.isSpreadElement(el) && isCallback(el, depth + 1));
        if (wrapsCallback(inner)) return true;
        if (!ts.isIdentifier(inner) && !ts.isPropertyAccessExpression(inner)) return false;
        if (ts.isPropertyAccessExpression(inner)) return isCallbackSlot(inner) && !isService(checker.getTypeAtLocation(inner));
        const type = checker.getTypeAtLocation(inner);
        return isFunctionOrFunctions(type) && !isService(type) && isCallbackPassedIn(inner);
      };
      return call.arguments.some((a) => !ts.isSpreadElement(a) && isCallback(a, 0));
    }

    /**
     * A function that itself accepts a context (`fetch: Fetch`, whose init takes a `signal`): a service handed on,
     * not a hook. The helper that gets it could have been given the context too, so handing it on bounds nothing
     * (openai's `createForm(body, fetch)`).
     */
    function isService(type: ts.Type): boolean {
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => t.getCallSignatures().some((sig) => contextSlotsOfSignature(sig, matcher).length > 0));
    }

    /** A function, or an array of functions (`Arrayable<Callback<E>>`), possibly optional. */
    function isFunctionOrFunctions(type: ts.Type): boolean {
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => {
        if (t.getCallSignatures().length > 0) return true;
        if (!checker.isArrayType(t)) return false;
        const element = checker.getTypeArguments(t as ts.TypeReference)[0];
        return element !== undefined && (element.isUnion() ? element.types : [element]).some((u) => u.getCallSignatures().length > 0);
      });
    }

    /**
     * A combinator over a bounded source (`drain(dht.provide(cid, options))`, `merge(...paths)`): an argument that
     * is a promise or an (async) iterable the context reached. The combinator ends when its source does.
     */
    function consumesBoundedSource(call: ts.CallExpression, scope: readonly ScopeContext[], seen: Set<ts.Node>): boolean {
      if (readsBoundedResponse(call, scope, seen)) return true;
      return call.arguments.some((a) => {
        const e = skipOuter(ts.isSpreadElement(a) ? a.expression : a);
        if (ts.isFunctionLike(e) || ts.isLiteralExpression(e) || ts.isObjectLiteralExpression(e)) return false;
        const type = checker.getTypeAtLocation(e);
        if (!isThenable(type) && !isIterableType(type)) return false;
        if (ts.isArrayLiteralExpression(e)) return e.elements.length > 0 && e.elements.every((el) => !ts.isSpreadElement(el) && classify(el, scope, "origin", new Set(seen)).bounded === true);
        if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "map") {
          const members = membersOf(e);
          return members !== undefined && members.length > 0 && members.every((m) => classify(m, scope, "origin", new Set(seen)).bounded === true);
        }
        return classify(e, scope, "origin", new Set(seen)).bounded === true;
      });
    }

    /**
     * A helper handed a `Response` whose fetch received the context, as an argument or a property of an object-literal
     * argument (`createApiError({ response, url })`): reading its body is covered by that fetch's abort.
     */
    function readsBoundedResponse(call: ts.CallExpression, scope: readonly ScopeContext[], seen: Set<ts.Node>): boolean {
      const bounded = (v: ts.Expression): boolean => (ts.isIdentifier(v) || ts.isPropertyAccessExpression(v)) && isResponse(v) && classify(v, scope, "origin", new Set(seen)).bounded === true;
      return call.arguments.some((a) => {
        const e = skipOuter(a);
        if (!ts.isObjectLiteralExpression(e)) return bounded(e);
        return e.properties.some((p) => (ts.isPropertyAssignment(p) && bounded(skipOuter(p.initializer))) || (ts.isShorthandPropertyAssignment(p) && bounded(p.name)));
      });
    }

    function isIterableType(type: ts.Type): boolean {
      if (type.flags & ts.TypeFlags.StringLike) return false;
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => t.getProperties().some((p) => p.getName() === "__@asyncIterator" || p.getName() === "__@iterator" || /^__@(async)?[iI]terator@/.test(p.getName())));
    }

    /**
     * An async function of the program (its source, not a declaration file) that does no I/O: every `await` in its
     * body is on a non-thenable, a callback handed in, or another such function (three levels, cached). Racing
     * `safeParseJSON(…)` buys nothing.
     */
    function isCpuOnly(call: ts.CallExpression, depth: number): boolean {
      const decl = implementationOf(checker.getResolvedSignature(call)?.getDeclaration());
      if (!decl || decl.getSourceFile().isDeclarationFile) return false;
      const cached = cpuOnly.get(decl);
      if (cached !== undefined) return cached;
      if (depth >= 3) return false;
      cpuOnly.set(decl, false); // guards recursion
      const async = ts.getCombinedModifierFlags(decl as ts.Declaration) & ts.ModifierFlags.Async;
      let ok = async !== 0 && !(decl as ts.FunctionLikeDeclaration).asteriskToken;
      const visit = (n: ts.Node): void => {
        if (!ok || (n !== decl && isFunctionLike(n))) return;
        if (ts.isForOfStatement(n) && n.awaitModifier) ok = false;
        else if (ts.isAwaitExpression(n)) ok = awaitIsCpuOnly(n.expression, depth);
        else if (ts.isReturnStatement(n) && n.expression && !ts.isAwaitExpression(skipOuter(n.expression)) && isThenable(checker.getTypeAtLocation(n.expression)) !== false) ok = awaitIsCpuOnly(n.expression, depth);
        if (ok) ts.forEachChild(n, visit);
      };
      if (ok && decl.body) ts.forEachChild(decl.body, visit);
      cpuOnly.set(decl, ok);
      return ok;
    }

    /** The declaration with the body: the signature's own, or for an overload the implementation after it. */
    function implementationOf(decl: ts.Declaration | undefined): ts.FunctionLikeDeclaration | undefined {
      if (!decl || !isFunctionLike(decl)) return undefined;
      if ((decl as ts.FunctionLikeDeclaration).body) return decl as ts.FunctionLikeDeclaration;
      const name = (decl as ts.FunctionLikeDeclaration).name;
      const symbol = name && checker.getSymbolAtLocation(name);
      return symbol?.declarations?.find((d): d is ts.FunctionLikeDeclaration => isFunctionLike(d) && (d as ts.FunctionLikeDeclaration).body !== undefined);
    }

    function awaitIsCpuOnly(expr: ts.Expression, depth: number): boolean {
      const e = skipOuter(expr);
      const type = checker.getTypeAtLocation(e);
      if (isThenable(type) === false) return true;
      if (isMaybePromise(e, type)) return true;
      if (!ts.isCallExpression(e)) return false;
      if (isCallbackPassedIn(e.expression) || isCallbackSlot(e.expression)) return true;
      return isCpuOnly(e, depth + 1);
    }

    /**
     * A property read or a call typed as a value *or* a promise of it (`T | PromiseLike<T>`: a schema's lazily
     * converted `jsonSchema`, a `validate(value)` that may answer synchronously): an API that declares it may be
     * synchronous is a hook whose timing is its maker's business, not I/O the helper starts. A plain `Promise<T>`
     * (or `Promise<T> | undefined`) property is a stored promise and still counts as waiting.
     */
    function isMaybePromise(e: ts.Expression, type: ts.Type): boolean {
      if (!ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e) && !ts.isCallExpression(e)) return false;
      if (!type.isUnion()) return false;
      const valueMember = type.types.some((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) && isThenable(t) === false);
      return valueMember && type.types.some((t) => isThenable(t) === true);
    }

    function rootIdentifier(e: ts.Expression): ts.Identifier | undefined {
      let n = skipOuter(e);
      while (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) n = skipOuter(n.expression);
      return ts.isIdentifier(n) ? n : undefined;
    }

    function usesScopeContext(node: ts.Node, scope: readonly ScopeContext[]): boolean {
      const symbols = new Set(scope.map((c) => checker.getSymbolAtLocation(c.declaration)));
      let found = false;
      const visit = (n: ts.Node): void => {
        if (found) return;
        if (ts.isIdentifier(n) && symbols.has(valueSymbolOf(n, checker))) found = true;
        else ts.forEachChild(n, visit);
      };
      visit(node);
      return found;
    }

    /**
     * The functions written into a call's arguments: an argument itself, or a property or method of an object
     * literal, or an element of an array literal, one level down (`run({ execute: async () => … })`).
     */
    function inlineFunctionsOf(call: ts.CallExpression | ts.NewExpression): ts.SignatureDeclaration[] {
      const out: ts.SignatureDeclaration[] = [];
      const visit = (e: ts.Node, depth: number): void => {
        const inner = ts.isExpression(e) ? skipOuter(e) : e;
        if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) || ts.isMethodDeclaration(inner)) out.push(inner);
        else if (depth > 1) return;
        else if (ts.isObjectLiteralExpression(inner)) {
          for (const p of inner.properties) visit(ts.isPropertyAssignment(p) ? p.initializer : p, depth + 1);
        } else if (ts.isArrayLiteralExpression(inner)) for (const el of inner.elements) visit(el, depth + 1);
      };
      for (const a of call.arguments ?? []) visit(a, 0);
      return out;
    }

    /**
     * A function written here that calls a callback from the caller (`async (event) => { await onError(event); }`),
     * or a local initialised with one (`const onEndWithOutput = onEnd == null ? undefined : async (e) => …`): a
     * wrapper, bounded like the callback it wraps.
     */
    function wrapsCallback(e: ts.Expression): boolean {
      let inner = skipOuter(e);
      if (ts.isIdentifier(inner)) {
        const decl = valueSymbolOf(inner, checker)?.valueDeclaration;
        if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || enclosingFunction(decl) === undefined) return false;
        if (!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return false;
        inner = skipOuter(decl.initializer);
        if (ts.isConditionalExpression(inner)) return [inner.whenTrue, inner.whenFalse].some((b) => !isOptOut(b) && wrapsCallback(b)) && [inner.whenTrue, inner.whenFalse].every((b) => isOptOut(b) || wrapsCallback(b));
      }
      if (!ts.isArrowFunction(inner) && !ts.isFunctionExpression(inner)) return false;
      const fn: ts.ArrowFunction | ts.FunctionExpression = inner;
      let calls = false;
      const visit = (n: ts.Node): void => {
        if (calls || isFunctionLike(n)) return;
        if (ts.isCallExpression(n) && (isCallbackPassedIn(n.expression) || isCallbackSlot(n.expression))) calls = true;
        else ts.forEachChild(n, visit);
      };
      visit(fn.body);
      return calls;
    }

    function calleeLabel(call: ts.CallExpression | ts.NewExpression): string {
      let text = skipOuter(call.expression).getText().replace(/\s+/g, "");
      if (text.length > 40) text = `…${text.slice(-39)}`;
      return ts.isNewExpression(call) ? `new ${text}` : text;
    }

    function isBoundingHelper(call: ts.CallExpression): boolean {
      if (bounding.size === 0) return false;
      const callee = skipOuter(call.expression);
      if (bounding.has(callee.getText().replace(/\s+/g, ""))) return true;
      return ts.isPropertyAccessExpression(callee) ? bounding.has(callee.name.text) : ts.isIdentifier(callee) && bounding.has(callee.text);
    }

    /**
     * Whether `expr` is bounded by the contexts in `scope`. `mode` is `await` (the awaited operand: a
     * non-thenable is already resolved), `origin` (where a value came from: a Response, a stored promise) or
     * `iterate` (the iterable of a `for await`).
     */
    function classify(expr: ts.Expression, scope: readonly ScopeContext[], mode: "await" | "origin" | "iterate", seen: Set<ts.Node>): Verdict {
      const e = skipOuter(expr);
      if (mode === "await") {
        const thenable = isThenable(checker.getTypeAtLocation(e));
        if (thenable === undefined) return UNKNOWN;
        if (!thenable) return BOUNDED;
      }
      if (ts.isAwaitExpression(e)) return classify(e.expression, scope, "origin", seen);
      if (ts.isConditionalExpression(e)) {
        // `signal ? sleepUntilAborted(ms, signal) : sleep(ms)`: the branch without the context has none to pass.
        const absent = absentWhen(e.condition, scope[0]!);
        return all([absent === true ? BOUNDED : classify(e.whenTrue, scope, mode, seen), absent === false ? BOUNDED : classify(e.whenFalse, scope, mode, seen)]);
      }
      if (ts.isIdentifier(e)) return classifyIdentifier(e, scope, mode, seen);
      if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
        const object = skipOuter(e.expression);
        if (object.kind === ts.SyntaxKind.ThisKeyword) return { bounded: false, what: `a stored promise (\`${e.getText()}\`)` };
        // `res.body` of a fetched Response: bounded like the fetch.
        if (ts.isPropertyAccessExpression(e) && e.name.text === "body" && isResponse(object)) return classifyResponse(object, scope, seen);
        return UNKNOWN;
      }
      if (ts.isNewExpression(e)) {
        const callee = skipOuter(e.expression);
        if (ts.isIdentifier(callee) && callee.text === "Promise") {
          const executor = e.arguments?.[0];
          if (executor && usesScopeContext(executor, scope)) return BOUNDED;
          return { bounded: false, what: "a `new Promise` with no abort wiring" };
        }
        return callVerdict(e, scope, mode);
      }
      if (ts.isCallExpression(e)) return classifyCall(e, scope, mode, seen);
      return UNKNOWN;
    }

    function isResponse(e: ts.Expression): boolean {
      const symbol = checker.getTypeAtLocation(e).getSymbol();
      return symbol?.getName() === "Response" && (symbol.getDeclarations() ?? []).some((d) => !ts.isExternalModule(d.getSourceFile()));
    }

    function classifyIdentifier(id: ts.Identifier, scope: readonly ScopeContext[], mode: "await" | "origin" | "iterate", seen: Set<ts.Node>): Verdict {
      const symbol = valueSymbolOf(id, checker); // `{ response }`: the variable, not the literal's property
      const decl = symbol?.valueDeclaration;
      if (!symbol || !decl || seen.has(decl)) return UNKNOWN;
      seen.add(decl);
      // Awaiting the very object that carries the context (`await optionsInput` whose `.signal` is in scope).
      if (scope.some((c) => checker.getSymbolAtLocation(c.declaration) === symbol)) return BOUNDED;
      if (symbol.flags & ts.SymbolFlags.Alias) return { bounded: false, what: `a stored promise (\`${id.text}\`)` };
      if (ts.isParameter(decl)) return { bounded: false, what: `\`${id.text}\`, passed in without the context` };
      if (!ts.isVariableDeclaration(decl)) return UNKNOWN;
      const statement = decl.parent.parent;
      if (ts.isVariableStatement(statement) && (ts.isSourceFile(statement.parent) || ts.isModuleBlock(statement.parent))) {
        return { bounded: false, what: `a stored promise (\`${id.text}\`)` };
      }
      if (!decl.initializer || !ts.isIdentifier(decl.name)) return UNKNOWN;
      const inner = classify(decl.initializer, scope, mode === "await" ? "origin" : mode, seen);
      return inner.bounded === false ? { bounded: false, what: `\`${id.text}\` (${inner.what})` } : inner;
    }

    /**
     * Reading a `Response`'s body (or a clone's: `res.clone().json()`) is bounded like the fetch that made it: the
     * abort of that fetch's signal covers the body. A `Response` handed in as a parameter is judged like any value
     * passed in without the context (reported: `race` it).
     */
    function classifyResponse(response: ts.Expression, scope: readonly ScopeContext[], seen: Set<ts.Node>): Verdict {
      let e = skipOuter(response);
      while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "clone" && isResponse(e.expression.expression)) {
        e = skipOuter(e.expression.expression);
      }
      return classify(e, scope, "origin", seen);
    }

    function classifyCall(call: ts.CallExpression, scope: readonly ScopeContext[], mode: "await" | "origin" | "iterate", seen: Set<ts.Node>): Verdict {
      // `await import(…)`: loading a module is local work that no API lets a signal cancel.
      if (call.expression.kind === ts.SyntaxKind.ImportKeyword) return BOUNDED;
      const callee = skipOuter(call.expression);
      if (isBoundingHelper(call)) return BOUNDED;
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text;
        const receiver = skipOuter(callee.expression);
        if ((method === "then" || method === "catch" || method === "finally") && isThenable(checker.getTypeAtLocation(receiver))) {
          return classify(receiver, scope, "origin", seen);
        }
        if (ts.isIdentifier(receiver) && receiver.text === "Promise" && isGlobalPromise(receiver)) return classifyPromiseStatic(method, call, scope, seen);
        if ((BODY_READS.has(method) || method === "clone") && isResponse(receiver)) return classifyResponse(receiver, scope, seen);
      }
      if (isLocalFunction(call.expression, scope)) return BOUNDED;
      if (isCallbackPassedIn(call.expression) || isCallbackSlot(call.expression)) return BOUNDED;
      if (isCleanupCall(call)) return BOUNDED;
      const verdict = callVerdict(call, scope, mode);
      if (verdict.bounded !== false) return verdict;
      if (passesSignals(call) || passesCallbacks(call) || consumesBoundedSource(call, scope, seen) || isCpuOnly(call, 0)) return BOUNDED;
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(skipOuter(callee.expression)) && isCancelledOnAbort(skipOuter(callee.expression) as ts.Identifier)) return BOUNDED;
      // A method chained on a call that received the context: `create(x, { signal }).withResponse()`.
      if (ts.isPropertyAccessExpression(callee) && ts.isCallExpression(skipOuter(callee.expression))) {
        const root = classify(callee.expression, scope, "origin", seen);
        if (root.bounded === true) return BOUNDED;
      }
      return verdict;
    }

    /**
     * An object the context's abort cancels (`reader.read()` after `signal.addEventListener("abort", () =>
     * reader.cancel())`): somewhere in the function that declares it, a handler registered on a context — an
     * `"abort"` listener or `onabort` of a signal, `onCancellationRequested` of a token, ctxkit's `afterFunc` —
     * calls a cleanup method of it (`cancel…`, `close`, `abort`, `destroy`, `return`, …) or a cleanup helper with
     * it as an argument (`cancelReader(reader)`). The handler is written there or is a `const` of that function.
     * Cached per variable.
     */
    function isCancelledOnAbort(id: ts.Identifier): boolean {
      const symbol = valueSymbolOf(id, checker);
      const decl = symbol?.valueDeclaration;
      if (!symbol || !decl || !(ts.isVariableDeclaration(decl) || ts.isParameter(decl))) return false;
      let wired = cancelledOnAbort.get(symbol);
      if (wired === undefined) {
        const owner = enclosingFunction(decl);
        wired = owner?.body !== undefined && registersCancelOf(owner.body, symbol);
        cancelledOnAbort.set(symbol, wired);
      }
      return wired;
    }

    function registersCancelOf(body: ts.Node, symbol: ts.Symbol): boolean {
      const isContextExpr = (e: ts.Expression): boolean => matcher.isContext(checker.getTypeAtLocation(e));
      const handlerBody = (h: ts.Expression | undefined): ts.Node | undefined => {
        if (!h) return undefined;
        const e = skipOuter(h);
        if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e.body;
        if (!ts.isIdentifier(e)) return undefined;
        const d = valueSymbolOf(e, checker)?.valueDeclaration;
        if (d && ts.isFunctionDeclaration(d)) return d.body;
        if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !(ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const)) return undefined;
        const init = skipOuter(d.initializer);
        return ts.isArrowFunction(init) || ts.isFunctionExpression(init) ? init.body : undefined;
      };
      const cancels = (handler: ts.Node | undefined): boolean => {
        if (!handler) return false;
        let found = false;
        const visit = (n: ts.Node): void => {
          if (found) return;
          if (ts.isCallExpression(n) && isCleanupCall(n)) {
            // `reader.cancel()`, or a cleanup helper handed it (`cancelReader(reader, reason)`).
            const callee = skipOuter(n.expression);
            const targets = [...(ts.isPropertyAccessExpression(callee) ? [callee.expression] : []), ...n.arguments].map(skipOuter);
            if (targets.some((t) => ts.isIdentifier(t) && valueSymbolOf(t, checker) === symbol)) found = true;
          }
          ts.forEachChild(n, visit);
        };
        visit(handler);
        return found;
      };
      const name = symbol.getName();
      let found = false;
      const visit = (n: ts.Node): void => {
        if (found) return;
        if (ts.isCallExpression(n)) {
          const callee = skipOuter(n.expression);
          let handler: ts.Expression | undefined;
          if (ts.isPropertyAccessExpression(callee)) {
            const method = callee.name.text;
            const first = n.arguments[0];
            if (method === "addEventListener" && first && ts.isStringLiteralLike(first) && first.text === "abort") handler = n.arguments[1];
            else if (method === "onCancellationRequested") handler = first;
            if (handler && !isContextExpr(callee.expression)) handler = undefined;
          } else if (ts.isIdentifier(callee) && callee.text === "afterFunc" && ctxkitCalleeName(n, matcher) === "afterFunc") handler = n.arguments[1];
          if (handler && cancels(handlerBody(handler))) found = true;
        } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === "onabort" && isContextExpr(n.left.expression)) {
          if (cancels(handlerBody(n.right))) found = true;
        }
        if (!found) ts.forEachChild(n, visit);
      };
      // Speed path: a body that never names the variable after an abort hook cannot wire it.
      const text = body.getText();
      if (!text.includes(name) || !/addEventListener|onabort|onCancellationRequested|afterFunc/.test(text)) return false;
      visit(body);
      return found;
    }

    function isGlobalPromise(id: ts.Identifier): boolean {
      const decl = checker.getSymbolAtLocation(id)?.declarations?.[0];
      return decl !== undefined && !ts.isExternalModule(decl.getSourceFile());
    }

    function classifyPromiseStatic(method: string, call: ts.CallExpression, scope: readonly ScopeContext[], seen: Set<ts.Node>): Verdict {
      const arg = call.arguments[0];
      if (method === "resolve" || method === "reject" || method === "withResolvers") {
        return arg ? classify(arg, scope, "await", seen) : BOUNDED;
      }
      if (!arg || !["all", "allSettled", "any", "race"].includes(method)) return UNKNOWN;
      const members = membersOf(arg);
      if (!members) return UNKNOWN;
      const verdicts = members.map((m) => classify(m, scope, "await", seen));
      if (method === "race") {
        if (verdicts.some((v) => v.bounded === true)) return BOUNDED;
        return all(verdicts);
      }
      return all(verdicts);
    }

    /** The promises of a combinator's argument: an array literal, or what `xs.map(cb)` returns. */
    function membersOf(arg: ts.Expression): ts.Expression[] | undefined {
      const a = skipOuter(arg);
      if (ts.isArrayLiteralExpression(a)) return a.elements.some(ts.isSpreadElement) ? undefined : [...a.elements];
      if (ts.isCallExpression(a) && ts.isPropertyAccessExpression(a.expression) && (a.expression.name.text === "map" || a.expression.name.text === "flatMap")) {
        const cb = a.arguments[0] && skipOuter(a.arguments[0]);
        if (!cb || !(ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) return undefined;
        if (cb.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return []; // an async callback's awaits are checked themselves
        if (!ts.isBlock(cb.body)) return [cb.body];
        const out: ts.Expression[] = [];
        const visit = (n: ts.Node): void => {
          if (isFunctionLike(n)) return;
          if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
          ts.forEachChild(n, visit);
        };
        ts.forEachChild(cb.body, visit);
        return out;
      }
      return undefined;
    }

    function callVerdict(call: ts.CallExpression | ts.NewExpression, scope: readonly ScopeContext[], mode: "await" | "origin" | "iterate"): Verdict {
      const use = contextUseOfCall(call, scope, matcher);
      if (use.state !== "none" && use.state !== "incompatible") return BOUNDED; // received, opted out, or no-dropped-context's report
      // A callback that uses the context does the awaited work under it: `retry(() => fetch(url, { signal }))`,
      // `runInSpan({ name, execute: async () => … signal … })`.
      if (inlineFunctionsOf(call).some((f) => usesScopeContext(f, scope))) return BOUNDED;
      const noun = mode === "iterate" ? "an iterator made without the context" : `\`${calleeLabel(call)}(…)\`, a call that accepts no context`;
      return { bounded: false, what: use.state === "incompatible" ? `\`${calleeLabel(call)}(…)\`, which takes a ${use.acceptance.slot.typeName} that nothing in scope provides` : noun };
    }

    function check(node: TSESTree.Node, operand: TSESTree.Expression, kind: "await" | "for await"): void {
      const tsOperand = services.esTreeNodeToTSNodeMap.get(operand) as ts.Expression;
      const scope = contextsInScope(tsOperand, matcher);
      if (scope.length === 0) return;
      const verdict = classify(tsOperand, scope, kind === "await" ? "await" : "iterate", new Set());
      if (verdict.bounded !== false) return;
      if (optedOut(tsOperand) || inBranchWithoutContext(tsOperand, scope[0]!)) return;
      const ctx = scope.find((c) => c.kind === "ctxkit");
      const shown = ctx ?? scope[0]!;
      const advice = ctx
        ? `wrap it in \`race(${ctx.text}, …)\`${kind === "for await" ? " per step, or make the iterator with the context" : ""}, or pass the context`
        : shown.kind === "signal"
          ? "pass the signal, or race it against the signal's abort"
          : `pass the ${shown.typeName}, or stop when it is cancelled`;
      const imp = ctx && kind === "await" ? ctxkitImport(context.sourceCode, "race", operand) : undefined;
      context.report({
        node: operand,
        messageId: "unbounded",
        data: { await: kind === "await" ? "`await`" : "`for await`", what: verdict.what, ctx: shown.text, advice, contextNode: shown.declaration },
        suggest: ctx && imp
          ? [
              {
                messageId: "wrapInRace",
                data: { race: imp.ref, ctx: ctx.text },
                fix: (fixer) => {
                  const text = context.sourceCode.getText(operand);
                  const wrap = fixer.replaceText(operand, `${imp.ref}(${ctx.text}, ${text})`);
                  return imp.fix ? [imp.fix(fixer), wrap] : [wrap];
                },
              },
            ]
          : [],
      });
    }

    return {
      AwaitExpression(node) {
        check(node, node.argument, "await");
      },
      ForOfStatement(node) {
        if (node.await) check(node, node.right, "for await");
      },
    };
  },
});

function all(verdicts: Verdict[]): Verdict {
  const bad = verdicts.find((v): v is { bounded: false; what: string } => v.bounded === false);
  if (bad) return bad;
  if (verdicts.some((v) => v.bounded === "unknown")) return UNKNOWN;
  return BOUNDED;
}

