/**
 * require-cancel: the cancel of a cancel scope (`withCancel`, `withTimeout`, `withDeadline`, their Cause
 * variants, `fromSignal`, `requestContext`, `withIncomingDeadline`) must be used on every path to a return —
 * go vet's lostcancel for TypeScript.
 *
 * Reported, on the creating call:
 * - `discarded`: the scope is thrown away (an expression statement, `.ctx` taken off the call, destructuring
 *   without the cancel);
 * - `unused`: the cancel (or the whole scope) is bound but never used;
 * - `notOnAllPaths`: some path from the call to a return of the function does not use it; the message names
 *   that return's line (or the end of the function), and `data.line` carries it.
 *
 * What counts, as in lostcancel:
 * - every reference is a use: called, returned, stored, passed, closed over (a closure counts where it is
 *   created; a reference inside a nested function *declaration*, which is hoisted, counts everywhere). For a
 *   binding of the whole scope (`const s = withTimeout(...)`), reading `s.ctx` or `s[0]` is not a use of the
 *   cancel; anything else (`s.cancel()`, passing `s`, destructuring it) is;
 * - only returns leak: a path that ends in a `throw`, or at a call whose type is `never` (`process.exit()`, a
 *   `fail()` helper), is not a return, as a `panic` or `os.Exit` is not in Go. (A thrown exception leaks too, but
 *   every call can throw; `using` is the answer for that, and this rule does not pretend to check it.);
 * - a scope bound with `using` / `await using` is cancelled at scope exit: nothing to check;
 * - a cancel stored in a variable declared outside the function is not checked (it escapes), and at module
 *   level only the never-used case is reported (the module does not return).
 *
 * Control flow comes from ESLint's code path analysis (analysis/paths.ts).
 */
import { ASTUtils, ESLintUtils, type TSESLint, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { CANCEL_SCOPE_FACTORIES, ctxkitCalleeName, namesCancelScopeFactory, programUsesCtxkit } from "../analysis/ctxkitApi";
import { findPathWithout, PathRecorder, type PathEvent } from "../analysis/paths";
import { createRule } from "../util/createRule";
import { freshName } from "../util/freshName";

type Options = [{ contextTypes?: ContextTypeSpec[] }];
type MessageIds = "discarded" | "unused" | "notOnAllPaths" | "suggestUsing" | "suggestFinally";

type Variable = TSESLint.Scope.Variable;
type CodePath = TSESLint.CodePath;

/** A cancel scope whose cancel ended up in a variable of the function: the thing whose paths are checked. */
interface Candidate {
  call: TSESTree.CallExpression;
  factory: string;
  /** The variable that holds the cancel, or the whole scope (`whole`). */
  variable: Variable;
  whole: boolean;
  /** The declaration that binds it, when it is a declaration (fixes need one). */
  declaration: TSESTree.VariableDeclaration | undefined;
}

/** Quick text test: a file that names no cancel-scope factory needs no code path bookkeeping. */
export default createRule<Options, MessageIds>({
  name: "require-cancel",
  meta: {
    type: "problem",
    hasSuggestions: true,
    docs: {
      description: "Require the cancel function of withCancel/withTimeout/withDeadline (and friends) to be used on every path",
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      discarded: "The cancel function of `{{factory}}` is discarded; call it (or bind the scope with `using`) so the context is released.",
      unused: "The cancel function `{{name}}` of `{{factory}}` is never used; call it (or bind the scope with `using`) so the context is released.",
      notOnAllPaths:
        "The cancel function `{{name}}` of `{{factory}}` is not used on every path: {{where}} is reached without it (possible context leak).",
      suggestUsing: "Bind the scope with `using` so it is cancelled when the block exits.",
      suggestFinally: "Call `{{cancel}}` in a `finally` around the rest of the block.",
    },
    schema: [
      {
        type: "object",
        properties: { contextTypes: contextTypesSchema },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context);
    const matcher = getContextTypeMatcher(services.program, options.contextTypes);
    const sourceCode = context.sourceCode;
    // Speed path: a program without ctxkit's files has no cancel scope; a file that names no factory (substring
    // tests first, the word pattern only on a hit) needs no code path bookkeeping.
    if (!programUsesCtxkit(matcher)) return {};
    if (!namesCancelScopeFactory(sourceCode.text)) return {};

    const pending = new Map<CodePath, Candidate[]>();
    const returns: TSESTree.ReturnStatement[] = [];
    /** Calls in statement or return position: the ones whose `never` type would end a path. */
    const terminalCalls: TSESTree.CallExpression[] = [];
    const neverMemo = new Map<TSESTree.CallExpression, boolean>();
    const checker = services.program.getTypeChecker();

    const recorder = new PathRecorder((codePath, node) => {
      const list = pending.get(codePath);
      if (!list) return;
      pending.delete(codePath);
      for (const c of list) check(c, codePath, node);
    });

    function returnsNever(call: TSESTree.CallExpression): boolean {
      let r = neverMemo.get(call);
      if (r === undefined) {
        const type = services.getTypeAtLocation(call);
        neverMemo.set(call, (r = (type.flags & ts.TypeFlags.Never) !== 0));
      }
      return r;
    }

    /** Cheap filter before the type query: the callee is named like a factory, or is an import of one. */
    function mayBeFactory(callee: TSESTree.Expression): boolean {
      const id = callee.type === "MemberExpression" ? callee.property : callee;
      if (id.type !== "Identifier") return false;
      if (CANCEL_SCOPE_FACTORIES.has(id.name)) return true;
      if (callee.type === "MemberExpression") return false;
      const variable = findVariable(id);
      const def = variable?.defs[0];
      return def?.type === "ImportBinding" && def.node.type === "ImportSpecifier"
        && def.node.imported.type === "Identifier" && CANCEL_SCOPE_FACTORIES.has(def.node.imported.name);
    }

    function findVariable(id: TSESTree.Identifier): Variable | undefined {
      return ASTUtils.findVariable(sourceCode.getScope(id), id) ?? undefined;
    }

    /** The variable an identifier in a binding or assignment pattern refers to. */
    function variableOf(id: TSESTree.Identifier): Variable | undefined {
      return findVariable(id);
    }

    /** The identifier that receives the cancel in a destructuring pattern, `null` when it is discarded. */
    function cancelTarget(pattern: TSESTree.ArrayPattern | TSESTree.ObjectPattern): TSESTree.Identifier | null | undefined {
      const unwrap = (n: TSESTree.Node | null | undefined): TSESTree.Identifier | null | undefined => {
        if (!n) return null;
        if (n.type === "AssignmentPattern") return unwrap(n.left);
        if (n.type === "RestElement") return unwrap(n.argument);
        if (n.type === "Identifier") return n;
        return undefined; // nested pattern or member target: not followed
      };
      if (pattern.type === "ArrayPattern") {
        const second = pattern.elements[1];
        if (second) return unwrap(second);
        const rest = pattern.elements[0];
        return rest?.type === "RestElement" ? unwrap(rest) : null;
      }
      for (const p of pattern.properties) {
        if (p.type === "RestElement") return unwrap(p);
        if (!p.computed && p.key.type === "Identifier" && p.key.name === "cancel") return unwrap(p.value);
      }
      return null;
    }

    function onFactoryCall(node: TSESTree.CallExpression): void {
      if (!mayBeFactory(node.callee)) return;
      const tsNode = services.esTreeNodeToTSNodeMap.get(node) as ts.CallExpression;
      const factory = ctxkitCalleeName(tsNode, matcher);
      if (!factory || !CANCEL_SCOPE_FACTORIES.has(factory)) return;
      let parent = node.parent;
      let outer: TSESTree.Node = node;
      while (parent.type === "TSAsExpression" || parent.type === "TSNonNullExpression" || parent.type === "TSSatisfiesExpression") {
        outer = parent;
        parent = parent.parent;
      }
      const discarded = (): void => context.report({ node, messageId: "discarded", data: { factory }, suggest: discardedSuggestions(node, outer) });
      if (parent.type === "ExpressionStatement") return discarded();
      if (parent.type === "MemberExpression" && parent.object === outer) {
        const prop = parent.property;
        if (!parent.computed && prop.type === "Identifier" && prop.name === "ctx") discarded();
        else if (parent.computed && prop.type === "Literal" && prop.value === 0) discarded();
        return;
      }
      let target: TSESTree.Node;
      let declaration: TSESTree.VariableDeclaration | undefined;
      if (parent.type === "VariableDeclarator" && parent.init === outer) {
        declaration = parent.parent;
        if (declaration.kind === "using" || declaration.kind === "await using") return;
        target = parent.id;
      } else if (parent.type === "AssignmentExpression" && parent.right === outer && parent.operator === "=") {
        target = parent.left;
      } else {
        return; // passed, returned, stored, awaited, in a conditional: it escapes or is not ours to follow
      }
      let id: TSESTree.Identifier;
      let whole = false;
      if (target.type === "Identifier") {
        id = target;
        whole = true;
      } else if (target.type === "ArrayPattern" || target.type === "ObjectPattern") {
        const t = cancelTarget(target);
        if (t === null) return discarded();
        if (t === undefined) return;
        id = t;
      } else {
        return;
      }
      const variable = variableOf(id);
      if (!variable) return;
      const point = recorder.pointOf(node);
      if (!point) return;
      // A cancel held in a variable of an enclosing function (or module) is not this function's to check.
      const fnNode = recorder.nodeOf(point.codePath);
      if (!fnNode || !declaredIn(variable, fnNode)) return;
      const candidate: Candidate = { call: node, factory, variable, whole, declaration };
      let list = pending.get(point.codePath);
      if (!list) pending.set(point.codePath, (list = []));
      list.push(candidate);
    }

    function declaredIn(variable: Variable, fnNode: TSESTree.Node): boolean {
      const scope = variable.scope.variableScope;
      if (fnNode.type === "Program") return scope.type === "module" || scope.type === "global";
      return scope.block === fnNode;
    }

    /** A read of the scope that is not a use of its cancel: `s.ctx`, `s[0]`. */
    function readsOnlyContext(id: TSESTree.Node): boolean {
      const parent = id.parent;
      if (parent?.type !== "MemberExpression" || parent.object !== id) return false;
      if (!parent.computed) return parent.property.type === "Identifier" && parent.property.name === "ctx";
      return parent.property.type === "Literal" && parent.property.value === 0;
    }

    function usesOf(c: Candidate): TSESTree.Identifier[] {
      return c.variable.references
        .filter((r) => r.isRead() && r.isValueReference && !(c.whole && readsOnlyContext(r.identifier)))
        .map((r) => r.identifier as TSESTree.Identifier);
    }

    function check(c: Candidate, codePath: CodePath, fnNode: TSESTree.Node): void {
      const uses = usesOf(c);
      const name = c.variable.name;
      if (uses.length === 0) {
        context.report({ node: c.call, messageId: "unused", data: { factory: c.factory, name }, suggest: suggestions(c) });
        return;
      }
      if (fnNode.type === "Program") return;
      const start = recorder.pointOf(c.call);
      if (!start) return;
      const events: PathEvent[] = [];
      for (const use of uses) {
        const anchor = anchorIn(use, codePath);
        if (anchor === "everywhere") return;
        if (!anchor) continue;
        const point = recorder.pointOf(anchor);
        if (point) events.push({ kind: "block", point, node: anchor });
      }
      for (const r of returns) {
        const point = recorder.pointOf(r);
        if (point?.codePath === codePath) events.push({ kind: "return", point, node: r });
      }
      for (const call of terminalCalls) {
        const point = recorder.pointOf(call);
        if (point?.codePath === codePath) events.push({ kind: "maybe-block", point, node: call, blocks: () => returnsNever(call) });
      }
      const leak = findPathWithout(codePath, start, events, { implicitEnd: endIsReachable(fnNode) });
      if (!leak) return;
      const ret = leak.returnStatement;
      const line = ret ? ret.loc.start.line : fnNode.loc.end.line;
      const where = ret ? `the return on line ${line}` : `the end of the function (line ${line})`;
      context.report({
        node: c.call,
        messageId: "notOnAllPaths",
        // `leakingReturnNode` (the return, or the function's closing brace) is the server's related information.
        data: { factory: c.factory, name, where, line, leakingReturnNode: ret ?? { start: { line, column: Math.max(0, fnNode.loc.end.column - 1) }, end: fnNode.loc.end } },
        suggest: suggestions(c),
      });
    }

    /**
     * Whether falling off the end of the function is possible as far as the checker knows. ESLint's code path
     * analysis is syntactic: after a `switch` over every member of a union it still sees a way past it. The
     * checker includes `undefined` in an inferred return type only when the end is reachable, so a function
     * whose return type has no `undefined`/`void` (awaited, for `async`) does not end by falling off.
     */
    function endIsReachable(fnNode: TSESTree.Node): boolean {
      if (fnNode.type !== "FunctionDeclaration" && fnNode.type !== "FunctionExpression" && fnNode.type !== "ArrowFunctionExpression") return true;
      if (fnNode.generator || fnNode.body.type !== "BlockStatement") return true;
      const tsFn = services.esTreeNodeToTSNodeMap.get(fnNode) as ts.SignatureDeclaration;
      const signature = checker.getSignatureFromDeclaration(tsFn);
      if (!signature) return true;
      let type = checker.getReturnTypeOfSignature(signature);
      if (fnNode.async) type = checker.getAwaitedType(type) ?? type;
      const parts = type.isUnion() ? type.types : [type];
      const open = ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown;
      return parts.some((t) => (t.flags & open) !== 0);
    }

    /**
     * The node of `codePath` at which a use counts: the identifier itself, or the nested function (closure)
     * that contains it; "everywhere" for a hoisted function declaration.
     */
    function anchorIn(use: TSESTree.Identifier, codePath: CodePath): TSESTree.Node | "everywhere" | undefined {
      const point = recorder.pointOf(use);
      if (!point) return undefined;
      if (point.codePath === codePath) return use;
      let cp: CodePath | null = point.codePath;
      while (cp && cp.upper !== codePath) cp = cp.upper;
      if (!cp) return undefined;
      const fn = recorder.nodeOf(cp);
      if (!fn) return undefined;
      return fn.type === "FunctionDeclaration" ? "everywhere" : fn;
    }

    // ---- suggestions -------------------------------------------------------------------------------------

    function suggestions(c: Candidate): TSESLint.ReportSuggestionArray<MessageIds> {
      const out: TSESLint.ReportSuggestionArray<MessageIds> = [];
      const decl = c.declaration;
      if (!decl || decl.kind !== "const" || decl.declarations.length !== 1) return out;
      const block = decl.parent;
      if (block.type !== "BlockStatement" || !isFunctionBody(block)) return out;
      if (!cancelOnlyCalled(c) || contextLeavesBlock(decl)) return out;
      const declarator = decl.declarations[0]!;
      const indent = indentOf(decl);
      if (c.whole) {
        out.push({ messageId: "suggestUsing", fix: (fixer) => fixer.replaceTextRange([decl.range[0], decl.range[0] + "const".length], "using") });
      } else {
        const scopeName = freshName(sourceCode, block, "scope");
        const init = sourceCode.getText(declarator.init!);
        const pattern = sourceCode.getText(declarator.id);
        out.push({
          messageId: "suggestUsing",
          fix: (fixer) => fixer.replaceText(decl, `using ${scopeName} = ${init};\n${indent}const ${pattern} = ${scopeName};`),
        });
      }
      const cancelCall = c.whole ? `${c.variable.name}.cancel()` : `${c.variable.name}()`;
      const idx = block.body.indexOf(decl);
      const rest = block.body.slice(idx + 1);
      // Only for a declaration on its own line, so the wrapped block can be laid out by lines.
      const startsLine = /^\s*$/.test(sourceCode.lines[decl.loc.start.line - 1]!.slice(0, decl.loc.start.column));
      if (rest.length > 0 && startsLine && !restIsHoistedFrom(rest)) {
        const first = rest[0]!;
        const last = rest[rest.length - 1]!;
        const unit = indentUnit(indent);
        out.push({
          messageId: "suggestFinally",
          data: { cancel: cancelCall },
          fix: (fixer) =>
            fixer.replaceTextRange(
              [first.range[0], last.range[1]],
              `try {\n${indent}${unit}${reindent(first.range[0], last.range[1], unit)}\n${indent}} finally {\n${indent}${unit}${cancelCall};\n${indent}}`,
            ),
        });
      }
      return out;
    }

    /**
     * For a scope whose cancel is dropped by the binding (`const [ctx] = F()`, `const { ctx } = F()`,
     * `const ctx = F().ctx`): bind the scope with `using` and take the context from it. Same conditions as for a
     * kept cancel: a `const` in a function body whose context does not leave the block.
     */
    function discardedSuggestions(call: TSESTree.CallExpression, outer: TSESTree.Node): TSESLint.ReportSuggestionArray<MessageIds> {
      let declarator: TSESTree.Node | undefined = outer.parent;
      let viaMember = false;
      if (declarator?.type === "MemberExpression") {
        if (outer !== call) return [];
        viaMember = true;
        declarator = declarator.parent;
      }
      if (declarator?.type !== "VariableDeclarator" || (viaMember && declarator.init !== outer.parent)) return [];
      const decl = declarator.parent;
      if (decl.kind !== "const" || decl.declarations.length !== 1) return [];
      const block = decl.parent;
      if (block.type !== "BlockStatement" || !isFunctionBody(block) || contextLeavesBlock(decl)) return [];
      if (viaMember ? declarator.id.type !== "Identifier" : declarator.id.type === "Identifier") return [];
      const scopeName = freshName(sourceCode, block, "scope");
      const init = sourceCode.getText(viaMember ? call : declarator.init!);
      const rhs = viaMember ? `${scopeName}${sourceCode.getText(declarator.init!).slice(sourceCode.getText(call).length)}` : scopeName;
      const pattern = sourceCode.getText(declarator.id);
      const indent = indentOf(decl);
      return [{ messageId: "suggestUsing", fix: (fixer) => fixer.replaceText(decl, `using ${scopeName} = ${init};\n${indent}const ${pattern} = ${rhs};`) }];
    }

    function isFunctionBody(block: TSESTree.BlockStatement): boolean {
      for (let n: TSESTree.Node | undefined = block; n; n = n.parent) {
        if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "StaticBlock") return true;
        if (n.type === "PropertyDefinition" || n.type === "Program") return false;
      }
      return false;
    }

    /** Every use of the cancel is a plain call (`cancel()`, `s.cancel()`): cancelling at block exit cannot break an escape. */
    function cancelOnlyCalled(c: Candidate): boolean {
      return usesOf(c).every((id) => {
        const p = id.parent;
        if (c.whole) {
          return p?.type === "MemberExpression" && p.object === id && !p.computed && p.property.type === "Identifier"
            && p.property.name === "cancel" && p.parent.type === "CallExpression" && p.parent.callee === p;
        }
        return p?.type === "CallExpression" && p.callee === id;
      });
    }

    /**
     * Whether the scope or its context can outlive the block: referenced in a closure, or returned/yielded — as
     * itself (`return ctx`, `return { signal: s.ctx.signal }`) or through a promise or function built from it
     * (`return work(ctx)`). Cancelling at block exit would cancel a context still in use (a returned promise would
     * see its context cancelled before it settles). `return ctx.err()` and other plain values are fine.
     */
    function contextLeavesBlock(decl: TSESTree.VariableDeclaration): boolean {
      const fn = functionOf(decl);
      for (const v of sourceCode.getDeclaredVariables(decl)) {
        for (const r of v.references) {
          if (r.init) continue;
          if (functionOf(r.identifier) !== fn) return true;
          if (escapesThroughReturn(r.identifier as TSESTree.Identifier, decl.parent)) return true;
        }
      }
      return false;
    }

    function escapesThroughReturn(id: TSESTree.Identifier, stop: TSESTree.Node): boolean {
      let direct = true;
      for (let n: TSESTree.Node = id; n.parent && n !== stop; n = n.parent) {
        const p: TSESTree.Node = n.parent;
        if (p.type === "ReturnStatement" || p.type === "YieldExpression") {
          if (!p.argument) return false;
          return direct || isThenableOrFunction(services.getTypeAtLocation(p.argument));
        }
        const carries = (p.type === "MemberExpression" && p.object === n)
          || p.type === "ObjectExpression" || p.type === "ArrayExpression" || p.type === "Property" || p.type === "SpreadElement"
          || p.type === "TSAsExpression" || p.type === "TSNonNullExpression" || p.type === "TSSatisfiesExpression"
          || p.type === "ConditionalExpression" || p.type === "LogicalExpression";
        if (!carries) direct = false;
      }
      return false;
    }

    function isThenableOrFunction(type: ts.Type): boolean {
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => t.getCallSignatures().length > 0 || t.getProperty("then") !== undefined);
    }

    function functionOf(node: TSESTree.Node): TSESTree.Node | undefined {
      for (let n = node.parent; n; n = n.parent) {
        if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") return n;
      }
      return undefined;
    }

    /** A declaration among `rest` that is referenced before it (hoisted): wrapping it in `try` would hide it. */
    function restIsHoistedFrom(rest: TSESTree.Statement[]): boolean {
      const start = rest[0]!.range[0];
      const end = rest[rest.length - 1]!.range[1];
      for (const stmt of rest) {
        for (const v of sourceCode.getDeclaredVariables(stmt)) {
          if (v.references.some((r) => r.identifier.range[0] < start || r.identifier.range[1] > end)) return true;
        }
        if (stmt.type === "VariableDeclaration" && stmt.kind === "var") return true;
      }
      return false;
    }

    function indentOf(node: TSESTree.Node): string {
      const line = sourceCode.lines[node.loc.start.line - 1] ?? "";
      return /^\s*/.exec(line)![0];
    }

    function indentUnit(indent: string): string {
      return indent.includes("\t") ? "\t" : "  ";
    }

    /** The text of [start, end) with every line after the first indented by `unit`, except inside template literals. */
    function reindent(start: number, end: number, unit: string): string {
      const text = sourceCode.text.slice(start, end);
      const templates = sourceCode.ast.tokens.filter((t) => t.type === "Template" && t.range[1] > start && t.range[0] < end);
      let out = "";
      for (let i = 0; i < text.length; i++) {
        out += text[i];
        if (text[i] === "\n" && i + 1 < text.length) {
          const offset = start + i + 1;
          const inTemplate = templates.some((t) => t.range[0] < offset && offset < t.range[1]);
          if (!inTemplate && text[i + 1] !== "\n" && text[i + 1] !== "\r") out += unit;
        }
      }
      return out;
    }

    return {
      ...recorder.listeners,
      Identifier: (node: TSESTree.Identifier): void => recorder.mark(node),
      "ReturnStatement:exit": (node: TSESTree.ReturnStatement): void => {
        recorder.mark(node);
        returns.push(node);
      },
      "CallExpression:exit": (node: TSESTree.CallExpression): void => {
        recorder.mark(node);
        const p = node.parent;
        if (p.type === "ExpressionStatement" || (p.type === "ReturnStatement" && p.argument === node)) terminalCalls.push(node);
        onFactoryCall(node);
      },
    } as TSESLint.RuleListener;
  },
});
