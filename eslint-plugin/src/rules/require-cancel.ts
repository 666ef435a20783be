/**
 * require-cancel: the cancel of a cancel scope (`withCancel`, `withTimeout`, `withDeadline`, their Cause
 * variants, `fromSignal`, `requestContext`, `withIncomingDeadline`) must not be discarded — go vet's lostcancel.
 *
 * This version reports a cancel that is discarded (expression statement, `.ctx` taken off the scope,
 * destructuring without the cancel) or bound to a variable that is never referenced. Every reference counts as a
 * use (called, returned, stored, passed, closed over), and a scope bound with `using` is cancelled at scope
 * exit. Per-path analysis (a return that skips the cancel) is not done yet.
 */
import { ESLintUtils, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { CANCEL_SCOPE_FACTORIES, ctxkitCalleeName } from "../analysis/ctxkitApi";
import { createRule } from "../util/createRule";

type Options = [{ contextTypes?: ContextTypeSpec[] }];
type MessageIds = "discarded" | "unused";

export default createRule<Options, MessageIds>({
  name: "require-cancel",
  meta: {
    type: "problem",
    docs: {
      description: "Require the cancel function of withCancel/withTimeout/withDeadline (and friends) to be used",
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      discarded: "The cancel function of `{{factory}}` is discarded; call it (or bind the scope with `using`) so the context is released.",
      unused: "The cancel function `{{name}}` of `{{factory}}` is never used; call it (or bind the scope with `using`) so the context is released.",
    },
    schema: [{ type: "object", properties: { contextTypes: contextTypesSchema }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context);
    const matcher = getContextTypeMatcher(services.program, options.contextTypes);

    function isUnreferenced(node: TSESTree.Identifier): boolean {
      const variable = context.sourceCode.getDeclaredVariables(node.parent as TSESTree.Node).find((v) => v.name === node.name)
        ?? context.sourceCode.getScope(node).set.get(node.name);
      return variable !== undefined && variable.references.every((r) => r.init === true || r.identifier === node);
    }

    return {
      CallExpression(node) {
        // Cheap syntactic filter before any type query: the callee's name must be one of the factories.
        const callee = node.callee.type === "MemberExpression" ? node.callee.property : node.callee;
        if (callee.type !== "Identifier" || !CANCEL_SCOPE_FACTORIES.has(callee.name)) return;
        const tsNode = services.esTreeNodeToTSNodeMap.get(node) as ts.CallExpression;
        const factory = ctxkitCalleeName(tsNode, matcher);
        if (!factory || !CANCEL_SCOPE_FACTORIES.has(factory)) return;
        const parent = node.parent;
        const report = (messageId: MessageIds, name = ""): void => context.report({ node, messageId, data: { factory, name } });
        if (parent.type === "ExpressionStatement") return report("discarded");
        if (parent.type === "MemberExpression" && parent.object === node) {
          const prop = parent.property;
          if (!parent.computed && prop.type === "Identifier" && prop.name === "ctx") report("discarded");
          return;
        }
        if (parent.type !== "VariableDeclarator" || parent.init !== node) return;
        const declaration = parent.parent as TSESTree.VariableDeclaration;
        const id = parent.id;
        if (id.type === "Identifier") {
          if (declaration.kind === "using" || declaration.kind === "await using") return;
          if (isUnreferenced(id)) report("unused", id.name);
        } else if (id.type === "ArrayPattern") {
          const second = id.elements[1];
          if (!second) return report("discarded");
          if (second.type === "Identifier" && isUnreferenced(second)) report("unused", second.name);
        } else if (id.type === "ObjectPattern") {
          const cancelProp = id.properties.find(
            (p) => p.type === "RestElement" || (p.type === "Property" && p.key.type === "Identifier" && p.key.name === "cancel"),
          );
          if (!cancelProp) return report("discarded");
          if (cancelProp.type === "Property" && cancelProp.value.type === "Identifier" && isUnreferenced(cancelProp.value)) {
            report("unused", cancelProp.value.name);
          }
        }
      },
    };
  },
});
