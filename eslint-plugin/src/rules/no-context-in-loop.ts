/**
 * no-context-in-loop: a context re-derived from itself inside a loop — Go's fatcontext.
 *
 * `for (...) { ctx = withValue(ctx, key, v); }` wraps the previous iteration's context every time round: the chain
 * grows with the loop, every `value()` lookup walks all of it, and with `withTimeout`/`withCancel` each iteration
 * nests one more cancel scope (and timer) under the last. The fix is a per-iteration variable:
 * `const iterCtx = withValue(ctx, key, v)`.
 *
 * Reported: an assignment `x = F(x, …)`, `x = F(x, …).ctx`, `[x, …] = F(x, …)` or `({ ctx: x } = F(x, …))` where `F`
 * is a ctxkit derivation (`withValue`, `withCancel`, `withTimeout`, `withDeadline`, their Cause variants,
 * `withoutCancel`, `fromSignal`, `withIncomingDeadline`), inside the body (or test/update) of a loop, not inside a
 * nested function, with `x` declared outside that loop.
 */
import { ASTUtils, ESLintUtils, type TSESLint, type TSESTree } from "@typescript-eslint/utils";
import type ts from "typescript";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { ctxkitCalleeName, DERIVED_FROM_PARENT, programUsesCtxkit } from "../analysis/ctxkitApi";
import { createRule } from "../util/createRule";
import { freshName } from "../util/freshName";

type Options = [{ contextTypes?: ContextTypeSpec[] }];
type MessageIds = "rederivedInLoop" | "suggestPerIteration";

/** ctxkit functions whose result is a context (or a scope holding one) derived from their first argument. */
const DERIVATIONS: ReadonlySet<string> = new Set([...DERIVED_FROM_PARENT, "withoutCancel", "fromSignal"]);

type Loop = TSESTree.ForStatement | TSESTree.ForInStatement | TSESTree.ForOfStatement | TSESTree.WhileStatement | TSESTree.DoWhileStatement;

export default createRule<Options, MessageIds>({
  name: "no-context-in-loop",
  meta: {
    type: "problem",
    hasSuggestions: true,
    docs: {
      description: "Disallow re-deriving a context from itself inside a loop, which grows its chain every iteration",
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      rederivedInLoop:
        "`{{name}}` is re-derived from itself with `{{callee}}` inside a loop: every iteration wraps the previous one, so the context chain grows with the loop. Derive a per-iteration context into a new variable.",
      suggestPerIteration: "Derive into a new `const {{fresh}}` for this iteration and use it in the rest of the loop body.",
    },
    schema: [{ type: "object", properties: { contextTypes: contextTypesSchema }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context);
    const matcher = getContextTypeMatcher(services.program, options.contextTypes);
    // Speed path: every report needs a ctxkit derivation; a program without ctxkit's files has none.
    if (!programUsesCtxkit(matcher)) return {};
    const sourceCode = context.sourceCode;

    /** The derivation call on the right-hand side, looking through `.ctx` / `[0]` and type assertions. */
    function derivationCall(node: TSESTree.Expression): TSESTree.CallExpression | undefined {
      let e: TSESTree.Node = node;
      while (e.type === "TSAsExpression" || e.type === "TSNonNullExpression" || e.type === "TSSatisfiesExpression") e = e.expression;
      if (e.type === "MemberExpression") {
        const p = e.property;
        const takesCtx = (!e.computed && p.type === "Identifier" && p.name === "ctx") || (e.computed && p.type === "Literal" && p.value === 0);
        if (!takesCtx) return undefined;
        e = e.object;
      }
      if (e.type !== "CallExpression") return undefined;
      const callee = e.callee.type === "MemberExpression" ? e.callee.property : e.callee;
      if (callee.type !== "Identifier") return undefined;
      return e;
    }

    /** The variable assigned from the derived context: `x = …`, `[x, …] = …`, `({ ctx: x } = …)`. */
    function targetOf(left: TSESTree.Node): TSESTree.Identifier | undefined {
      if (left.type === "Identifier") return left;
      if (left.type === "ArrayPattern") return left.elements[0]?.type === "Identifier" ? left.elements[0] : undefined;
      if (left.type === "ObjectPattern") {
        for (const p of left.properties) {
          if (p.type === "Property" && !p.computed && p.key.type === "Identifier" && p.key.name === "ctx" && p.value.type === "Identifier") return p.value;
        }
      }
      return undefined;
    }

    /** The innermost loop whose repeated part contains `node`, not crossing a function. */
    function enclosingLoop(node: TSESTree.Node): Loop | undefined {
      for (let n: TSESTree.Node = node; n.parent; n = n.parent) {
        const p: TSESTree.Node = n.parent;
        switch (p.type) {
          case "FunctionDeclaration":
          case "FunctionExpression":
          case "ArrowFunctionExpression":
          case "StaticBlock":
          case "PropertyDefinition":
            return undefined;
          case "ForStatement":
            if (n !== p.init) return p;
            break;
          case "ForInStatement":
          case "ForOfStatement":
            if (n === p.body) return p;
            break;
          case "WhileStatement":
          case "DoWhileStatement":
            return p;
        }
      }
      return undefined;
    }

    /** The per-iteration rewrite, when the assignment is a statement of the loop's block and `x` is only read after it there. */
    function suggestion(node: TSESTree.AssignmentExpression, target: TSESTree.Identifier, variable: TSESLint.Scope.Variable, loop: Loop): TSESLint.ReportSuggestionArray<MessageIds> {
      if (node.left.type !== "Identifier") return [];
      const stmt = node.parent;
      if (stmt.type !== "ExpressionStatement" || stmt.parent.type !== "BlockStatement" || stmt.parent.parent !== loop) return [];
      const body = stmt.parent;
      const after = variable.references.filter((r) => r.identifier.range[0] >= stmt.range[1] && r.identifier.range[1] <= body.range[1]);
      // Without a later read in the body the new variable would be dead; with a later write it is not per-iteration.
      if (after.length === 0 || after.some((r) => r.isWrite())) return [];
      const fresh = freshName(sourceCode, body, `${target.name}Iter`);
      return [
        {
          messageId: "suggestPerIteration",
          data: { fresh },
          fix: (fixer) => [
            fixer.replaceTextRange([stmt.range[0], node.right.range[0]], `const ${fresh} = `),
            ...after.map((r) => fixer.replaceText(r.identifier, fresh)),
          ],
        },
      ];
    }

    return {
      AssignmentExpression(node) {
        if (node.operator !== "=") return;
        const call = derivationCall(node.right);
        if (!call) return;
        const target = targetOf(node.left);
        const first = call.arguments[0];
        // Cheap syntactic filters first: the first argument is the assigned variable itself.
        if (!target || first?.type !== "Identifier" || first.name !== target.name) return;
        const calleeId = call.callee.type === "MemberExpression" ? call.callee.property : call.callee;
        if (calleeId.type !== "Identifier") return;
        const loop = enclosingLoop(node);
        if (!loop) return;
        const variable = ASTUtils.findVariable(sourceCode.getScope(target), target);
        const def = variable?.defs[0];
        if (!variable || !def) return;
        if (def.name.range[0] >= loop.range[0] && def.name.range[1] <= loop.range[1]) return; // fresh each iteration
        const name = ctxkitCalleeName(services.esTreeNodeToTSNodeMap.get(call) as ts.CallExpression, matcher);
        if (!name || !DERIVATIONS.has(name)) return;
        context.report({
          node,
          messageId: "rederivedInLoop",
          data: { name: target.name, callee: name },
          suggest: suggestion(node, target, variable, loop),
        });
      },
    };
  },
});
