/**
 * context-first-param: a ctxkit `Context` parameter comes first — revive's context-as-argument.
 *
 * Go's convention (and ctxkit's own API: `withTimeout(parent, ms)`, `race(ctx, p)`) puts the context first, so
 * every call site reads the same and "thread ctx" has one place to put it.
 *
 * Reported: a required parameter whose type is a ctxkit `Context` (or a `custom` context type) that follows a
 * parameter that is not a context, in a function, method, or signature that declares its own parameter list.
 * Not reported (deliberately):
 * - `AbortSignal`s and cancellation tokens: JavaScript's convention puts them last or in an options bag;
 * - an optional context (`parent?: Context`, or one with a default): defaulting a trailing context is the
 *   TypeScript way to make it optional (ctxkit's `requestContext(req, res, parent?)`);
 * - a function whose parameter list is dictated from outside: a callback or any function expression with a
 *   contextual type (`arr.map((x, ctx) => …)`, `const h: Handler = …`), an `override` method, or a method that
 *   implements or overrides a member of a base class or implemented interface;
 * - parameters whose type name is in `allowTypesBefore` (revive's option of the same name), and `this`.
 */
import { ESLintUtils, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { isContextClassInstance } from "../analysis/classContext";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { createRule } from "../util/createRule";

type Options = [{ contextTypes?: ContextTypeSpec[]; allowTypesBefore?: string[] }];
type MessageIds = "contextNotFirst";

type FunctionLike =
  | TSESTree.FunctionDeclaration
  | TSESTree.FunctionExpression
  | TSESTree.ArrowFunctionExpression
  | TSESTree.TSDeclareFunction
  | TSESTree.TSEmptyBodyFunctionExpression
  | TSESTree.TSMethodSignature;

export default createRule<Options, MessageIds>({
  name: "context-first-param",
  meta: {
    type: "suggestion",
    docs: {
      description: "Require a ctxkit Context parameter to be the first parameter",
      recommended: false,
      requiresTypeChecking: true,
    },
    messages: {
      contextNotFirst: "The context parameter `{{name}}` of `{{fn}}` is parameter {{position}}; put the `{{type}}` first, as Go and ctxkit do.",
    },
    schema: [
      {
        type: "object",
        properties: {
          contextTypes: contextTypesSchema,
          allowTypesBefore: {
            type: "array",
            items: { type: "string", minLength: 1 },
            description: "Type names that may come before the context (e.g. a test handle).",
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
    // Speed path: only ctxkit and custom contexts are reported; none can exist in a program without them
    // (e.g. no ctxkit file under the default option set), so skip the file before any type query.
    if (!matcher.mayMatchKind(["ctxkit", "custom"])) return {};
    const checker = services.program.getTypeChecker();
    const allowBefore = new Set(options.allowTypesBefore ?? []);
    const sourceCode = context.sourceCode;

    function paramName(p: TSESTree.Parameter): string {
      const n = p.type === "TSParameterProperty" ? p.parameter : p;
      const id = n.type === "AssignmentPattern" ? n.left : n;
      return id.type === "Identifier" ? id.name : sourceCode.getText(id);
    }

    function isOptional(p: TSESTree.Parameter): boolean {
      const n = p.type === "TSParameterProperty" ? p.parameter : p;
      if (n.type === "AssignmentPattern") return true;
      return (n.type === "Identifier" || n.type === "ArrayPattern" || n.type === "ObjectPattern") && n.optional === true;
    }

    function typeOfParam(p: TSESTree.Parameter): ts.Type | undefined {
      let n: TSESTree.Node = p.type === "TSParameterProperty" ? p.parameter : p;
      if (n.type === "AssignmentPattern") n = n.left;
      let tsNode: ts.Node | undefined = services.esTreeNodeToTSNodeMap.get(n);
      while (tsNode && !ts.isParameter(tsNode)) tsNode = tsNode.parent;
      return tsNode ? checker.getTypeAtLocation(tsNode.name) : undefined;
    }

    function typeName(type: ts.Type): string {
      return (type.aliasSymbol ?? type.getSymbol())?.getName() ?? checker.typeToString(type);
    }

    /** Whether the parameter list is someone else's: a contextually typed function, or an override/implementation. */
    function dictated(node: FunctionLike): boolean {
      if (node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression") {
        const parent = node.parent;
        if (parent.type === "MethodDefinition" || parent.type === "TSAbstractMethodDefinition") return isOverride(parent);
        if (parent.type === "PropertyDefinition" && parent.value === node) return isOverride(parent);
        const tsNode = services.esTreeNodeToTSNodeMap.get(node) as ts.Expression;
        return checker.getContextualType(tsNode) !== undefined;
      }
      if (node.type === "TSEmptyBodyFunctionExpression") {
        const parent = node.parent;
        return (parent.type === "MethodDefinition" || parent.type === "TSAbstractMethodDefinition") && isOverride(parent);
      }
      if (node.type === "TSMethodSignature") {
        // A member of an interface that extends another which declares it.
        const iface = node.parent.parent;
        if (iface?.type !== "TSInterfaceDeclaration" || node.computed || node.key.type !== "Identifier") return false;
        const name = node.key.name;
        return iface.extends.some((h) => checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(h.expression)).getProperty(name) !== undefined);
      }
      return false;
    }

    function isOverride(member: TSESTree.MethodDefinition | TSESTree.TSAbstractMethodDefinition | TSESTree.PropertyDefinition): boolean {
      if (member.override) return true;
      if (member.computed || member.key.type !== "Identifier") return false;
      const name = member.key.name;
      const cls = member.parent.parent;
      if (cls.type !== "ClassDeclaration" && cls.type !== "ClassExpression") return false;
      const heritage: TSESTree.Node[] = [...(cls.superClass ? [cls.superClass] : []), ...(cls.implements ?? []).map((i) => i.expression)];
      return heritage.some((h) => {
        const type = checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(h));
        if (type.getProperty(name)) return true;
        // A class expression's `extends Base`: the constructor type; look at what it constructs.
        return type.getConstructSignatures().some((s) => s.getReturnType().getProperty(name) !== undefined);
      });
    }

    function fnName(node: FunctionLike): string {
      if ("id" in node && node.id) return node.id.name;
      const p = node.type === "TSMethodSignature" ? node : node.parent;
      if (p && (p.type === "MethodDefinition" || p.type === "TSAbstractMethodDefinition" || p.type === "Property" || p.type === "PropertyDefinition" || p.type === "TSMethodSignature")) {
        return p.key.type === "Identifier" ? p.key.name : sourceCode.getText(p.key);
      }
      if (p?.type === "VariableDeclarator" && p.id.type === "Identifier") return p.id.name;
      return "this function";
    }

    /** In a TypeScript file a parameter without an annotation gets its type from a contextual type (exempt) or is `any`. */
    const typedSource = /\.[cm]?tsx?$/.test(context.filename);

    function hasAnnotation(p: TSESTree.Parameter): boolean {
      const n = p.type === "TSParameterProperty" ? p.parameter : p;
      return n.type !== "AssignmentPattern" && n.type !== "RestElement" && n.typeAnnotation !== undefined;
    }

    function check(node: FunctionLike): void {
      const params = node.params;
      if (params.length < 2) return; // cheap filter: nothing can come before a lone parameter
      // A callback's parameter list is the callee's (and typing its parameters is the costly contextual typing).
      const parent = node.parent;
      if ((node.type === "ArrowFunctionExpression" || node.type === "FunctionExpression") && (parent?.type === "CallExpression" || parent?.type === "NewExpression") && parent.callee !== node) return;
      // Candidates: required parameters after the first real one; in TypeScript only annotated ones can be contexts.
      const first = params[0]?.type === "Identifier" && params[0].name === "this" ? 1 : 0;
      let candidate = -1;
      let match: ReturnType<typeof matcher.match>;
      for (let i = first + 1; i < params.length; i++) {
        const p = params[i]!;
        if (p.type === "RestElement") break;
        if (isOptional(p) || (typedSource && !hasAnnotation(p))) continue;
        const type = typeOfParam(p);
        const m = type && matcher.match(type);
        if (m && (m.kind === "ctxkit" || m.kind === "custom")) {
          candidate = i;
          match = m;
          break;
        }
      }
      if (candidate < 0 || !match) return;
      // Is anything before it not a context?
      for (let i = first; i < candidate; i++) {
        const p = params[i]!;
        const type = typeOfParam(p);
        if (type && (matcher.match(type) || isContextClassInstance(type, matcher) || allowBefore.has(typeName(type)))) continue;
        if (dictated(node)) return;
        const ctxParam = params[candidate]!;
        context.report({ node: ctxParam, messageId: "contextNotFirst", data: { name: paramName(ctxParam), fn: fnName(node), position: candidate + 1, type: match.typeName } });
        return;
      }
    }

    return {
      FunctionDeclaration: check,
      FunctionExpression: check,
      ArrowFunctionExpression: check,
      TSDeclareFunction: check,
      TSEmptyBodyFunctionExpression: check,
      TSMethodSignature: check,
    };
  },
});
