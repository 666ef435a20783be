/**
 * await-before-dispose: a promise that uses a cancel scope's context must not be returned un-awaited from
 * inside that scope.
 *
 * `using s = withTimeout(parent, 500); return fetchUser(s.ctx, id);` disposes `s` — cancelling its context — as
 * the `return` leaves the block, before the promise settles: the work it started sees its context cancelled at
 * once. The same holds for `try { return work(ctx); } finally { cancel(); }`, and for `async` functions (the
 * disposal runs at the `return`, not when the returned promise settles). `return await` keeps the scope open
 * until the promise settles.
 *
 * Reported: a `return` (not in a nested function) inside the region of a scope — the rest of the block after a
 * `using`/`await using` of a ctxkit cancel scope (made by a ctxkit factory, or any value of ctxkit's `CancelScope`
 * type: a helper's result, a `for (using s of …)` binding), or the `try`/`catch` blocks of a `try` whose
 * `finally` calls the scope's cancel — whose argument is not awaited, has a thenable type, and refers to the scope's context:
 * the scope variable, its destructured or `.ctx` context, or a local derived from them (`const child =
 * withValue(ctx, …)`, `const p = work(ctx)`), followed through `const`/`let` initialisers — as long as the value
 * can carry the context: a context, a promise, a function, or an object with a context property. A plain value
 * computed from it (`sync(ctx)` returning a number, `ctx.err()`) ends the trail.
 */
import { ASTUtils, ESLintUtils, type TSESLint, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { CANCEL_SCOPE_FACTORIES, ctxkitCalleeName, namesCancelScopeFactory, programUsesCtxkit } from "../analysis/ctxkitApi";
import { createRule } from "../util/createRule";

type Options = [{ contextTypes?: ContextTypeSpec[] }];
type MessageIds = "returnedBeforeDispose" | "suggestAwait";

type Variable = TSESLint.Scope.Variable;
type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

/** A cancel scope that is disposed at a known point, with the variables that carry its context. */
interface Scope {
  factory: string;
  /** How it is disposed, for the message: `using` or `finally`. */
  how: "using" | "finally";
  /** The name shown for the context (`s.ctx`, `ctx`). */
  contextName: string;
  /** Variables whose value is (or is built from) the scope's context. */
  tainted: Set<Variable>;
  /** Source ranges in which a `return` disposes the scope. */
  regions: [number, number][];
  fn: FunctionNode | undefined;
  /** Where the scope is disposed: the `using` declaration, or the cancel call in `finally` (related information). */
  disposeNode: TSESTree.Node;
}

export default createRule<Options, MessageIds>({
  name: "await-before-dispose",
  meta: {
    type: "problem",
    hasSuggestions: true,
    docs: {
      description: "Require a promise that uses a cancel scope's context to be awaited before the scope is disposed",
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      returnedBeforeDispose:
        "This promise uses `{{context}}` but is returned without `await` from inside the {{how}} scope of `{{factory}}`: the scope is disposed (its context cancelled) before the promise settles.",
      suggestAwait: "Return `await` the promise, so the scope stays open until it settles.",
    },
    schema: [{ type: "object", properties: { contextTypes: contextTypesSchema }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context);
    const matcher = getContextTypeMatcher(services.program, options.contextTypes);
    const sourceCode = context.sourceCode;
    // Speed path: in a program without ctxkit's files there is no factory and no `CancelScope` type, so no scope.
    if (!programUsesCtxkit(matcher)) return {};
    // Speed path: a file that names no factory and has no `using` or `finally` has no scope to look at
    // (substring tests first; the word patterns run only on a hit).
    const text = sourceCode.text;
    const namesFactory = namesCancelScopeFactory(text);
    if (!namesFactory && !((text.includes("using") || text.includes("finally")) && /\b(?:using|finally)\b/.test(text))) return {};
    const checker = services.program.getTypeChecker();
    const scopes: Scope[] = [];

    function factoryOf(node: TSESTree.Expression | null | undefined): string | undefined {
      if (node?.type !== "CallExpression") return undefined;
      const callee = node.callee.type === "MemberExpression" ? node.callee.property : node.callee;
      if (callee.type !== "Identifier") return undefined;
      const name = ctxkitCalleeName(services.esTreeNodeToTSNodeMap.get(node) as ts.CallExpression, matcher);
      return name && CANCEL_SCOPE_FACTORIES.has(name) ? name : undefined;
    }

    /**
     * The factory that made the scope bound to `id`: the ctxkit call in its initialiser, or — for a helper that
     * returns one (`using s = requestScope(…)`) or a `for (using s of scopes)` binding — `CancelScope` when the
     * binding's type is ctxkit's cancel scope.
     */
    function scopeFactoryOf(init: TSESTree.Expression | null | undefined, id: TSESTree.Node): string | undefined {
      const direct = factoryOf(init);
      if (direct) return direct;
      const type = services.getTypeAtLocation(id);
      const parts = type.isIntersection() || type.isUnion() ? type.types : [type];
      for (const t of parts) {
        const symbol = t.getSymbol();
        const decl = symbol?.getDeclarations()?.[0];
        if (symbol?.getName() === "CancelScope" && decl && matcher.packageNameOf(decl.getSourceFile()) === "ctxkit") return "CancelScope";
      }
      return undefined;
    }

    function functionOf(node: TSESTree.Node): FunctionNode | undefined {
      for (let n = node.parent; n; n = n.parent) {
        if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") return n;
      }
      return undefined;
    }

    /** Adds every local whose initialiser refers to a tainted variable, until nothing changes. */
    function closeOver(tainted: Set<Variable>): void {
      const work = [...tainted];
      while (work.length > 0) {
        const v = work.pop()!;
        for (const ref of v.references) {
          const declarator = enclosingDeclarator(ref.identifier);
          if (!declarator || !carries(ref.identifier, declarator.init!)) continue;
          for (const d of sourceCode.getDeclaredVariables(declarator)) {
            const id = d.defs[0]?.name;
            if (!tainted.has(d) && id && isCarrier(services.getTypeAtLocation(id))) {
              tainted.add(d);
              work.push(d);
            }
          }
        }
      }
    }

    /** The declarator whose initialiser contains `id` (not crossing a function). */
    function enclosingDeclarator(id: TSESTree.Node): TSESTree.VariableDeclarator | undefined {
      for (let n: TSESTree.Node = id; n.parent; n = n.parent) {
        const p: TSESTree.Node = n.parent;
        if (p.type === "VariableDeclarator") return p.init === n ? p : undefined;
        if (p.type === "FunctionDeclaration" || p.type === "FunctionExpression" || p.type === "ArrowFunctionExpression" || p.type === "BlockStatement") return undefined;
      }
      return undefined;
    }

    function onUsing(decl: TSESTree.VariableDeclaration): void {
      const block = decl.parent.type === "ForOfStatement" ? decl.parent.body : decl.parent;
      for (const d of decl.declarations) {
        if (d.id.type !== "Identifier") continue;
        const factory = scopeFactoryOf(d.init, d.id);
        if (!factory) continue;
        const tainted = new Set(sourceCode.getDeclaredVariables(d));
        closeOver(tainted);
        scopes.push({ factory, how: "using", contextName: `${d.id.name}.ctx`, tainted, regions: [[decl.range[1], block.range[1]]], fn: functionOf(decl), disposeNode: decl });
      }
    }

    /** `try { … } finally { cancel(); }` where `cancel` (or `s.cancel`) comes from a cancel scope. */
    function onTry(node: TSESTree.TryStatement): void {
      if (!node.finalizer) return;
      for (const stmt of node.finalizer.body) {
        if (stmt.type !== "ExpressionStatement" || stmt.expression.type !== "CallExpression") continue;
        const callee = stmt.expression.callee;
        const id = callee.type === "Identifier" ? callee : callee.type === "MemberExpression" && callee.object.type === "Identifier" ? callee.object : undefined;
        if (!id) continue;
        const variable = ASTUtils.findVariable(sourceCode.getScope(id), id);
        const def = variable?.defs[0];
        if (!variable || def?.type !== "Variable") continue;
        const declarator = def.node;
        const factory = scopeFactoryOf(declarator.init, callee.type === "MemberExpression" ? id : declarator.init ?? declarator.id);
        if (!factory) continue;
        // The context travels in the other bindings of the same declarator (`const [ctx, cancel] = …`) or the scope.
        const tainted = new Set(sourceCode.getDeclaredVariables(declarator).filter((v) => v !== variable || callee.type === "MemberExpression"));
        if (tainted.size === 0) continue;
        closeOver(tainted);
        const regions: [number, number][] = [node.block.range];
        if (node.handler) regions.push(node.handler.body.range);
        const contextName = callee.type === "MemberExpression" ? `${id.name}.ctx` : [...tainted][0]!.name;
        scopes.push({ factory, how: "finally", contextName, tainted, regions, fn: functionOf(node), disposeNode: stmt });
      }
    }

    function isThenable(node: TSESTree.Node): boolean {
      const type = services.getTypeAtLocation(node);
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => {
        const then = t.getProperty("then");
        if (!then) return false;
        return checker.getTypeOfSymbol(then).getCallSignatures().length > 0;
      });
    }

    /** Whether `expr` refers to a tainted variable (not inside a nested function: that is a closure, judged by its type). */
    function refersTo(expr: TSESTree.Node, tainted: Set<Variable>): boolean {
      for (const v of tainted) {
        for (const ref of v.references) {
          const r = ref.identifier.range;
          if (r[0] >= expr.range[0] && r[1] <= expr.range[1] && carries(ref.identifier, expr)) return true;
        }
      }
      return false;
    }

    /**
     * Whether the value at `ref` can still be in use after `upTo` is evaluated: every call it passes through on
     * the way up yields a carrier. `sync(ctx)` returning a number ends it; `work(ctx)` returning a promise does not.
     */
    function carries(ref: TSESTree.Node, upTo: TSESTree.Node): boolean {
      for (let n: TSESTree.Node | undefined = ref.parent; n; n = n.parent) {
        if ((n.type === "CallExpression" || n.type === "NewExpression" || n.type === "TaggedTemplateExpression") && !isCarrier(services.getTypeAtLocation(n))) return false;
        if (n === upTo) return true;
        if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") return true; // a closure carries what it captures
      }
      return true;
    }

    /** A value that can hold on to a context past the statement: a context, a promise, a function, or an object with a context property. */
    function isCarrier(type: ts.Type): boolean {
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => {
        if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
        if (!(t.flags & ts.TypeFlags.Object) && !t.isIntersection()) return false;
        if (matcher.isContext(t) || t.getCallSignatures().length > 0 || t.getProperty("then")) return true;
        const props = checker.getPropertiesOfType(t);
        return props.length <= 64 && props.some((p) => matcher.isContext(checker.getTypeOfSymbol(p)));
      });
    }

    function onReturn(node: TSESTree.ReturnStatement): void {
      const arg = node.argument;
      if (!arg || scopes.length === 0) return;
      let inner: TSESTree.Node = arg;
      while (inner.type === "TSAsExpression" || inner.type === "TSNonNullExpression" || inner.type === "TSSatisfiesExpression") inner = inner.expression;
      if (inner.type === "AwaitExpression") return;
      const fn = functionOf(node);
      const scope = scopes.find(
        (s) => s.fn === fn && s.regions.some(([a, b]) => node.range[0] >= a && node.range[1] <= b) && refersTo(arg, s.tainted),
      );
      if (!scope || !isThenable(arg)) return;
      const suggest: TSESLint.ReportSuggestionArray<MessageIds> = [];
      if (fn?.async) {
        const needsParens = arg.type === "SequenceExpression" || arg.type === "ConditionalExpression" || arg.type === "LogicalExpression"
          || arg.type === "BinaryExpression" || arg.type === "AssignmentExpression" || arg.type === "ArrowFunctionExpression";
        const text = sourceCode.getText(arg);
        suggest.push({ messageId: "suggestAwait", fix: (fixer) => fixer.replaceText(arg, needsParens ? `await (${text})` : `await ${text}`) });
      }
      context.report({
        node: arg,
        messageId: "returnedBeforeDispose",
        // `disposeNode` (the `using` or the `finally` cancel) is the server's related information.
        data: { context: scope.contextName, how: scope.how, factory: scope.factory, disposeNode: scope.disposeNode },
        suggest,
      });
    }

    return {
      VariableDeclaration(node) {
        if (node.kind === "using" || node.kind === "await using") onUsing(node);
      },
      TryStatement: onTry,
      ReturnStatement: onReturn,
    };
  },
});
