/**
 * no-stored-context: a ctxkit `Context` kept in a class field — Go's containedctx ("do not store Contexts inside
 * a struct type; pass a Context explicitly to each function that needs it").
 *
 * A context stored on an object outlives the call it belongs to: later method calls use a context that may be
 * long cancelled (or never cancelled), and callers cannot give one call a shorter deadline.
 *
 * Reported: a class field (instance or static, `declare`/`abstract`/`accessor` included) or a constructor
 * parameter property (`constructor(private ctx: Context)`) whose type is a ctxkit `Context` (or a `custom`
 * context type). Deliberately not reported:
 * - fields of interfaces and object types: an options bag or parameter object (`{ ctx, timeout }`) is how a
 *   call *receives* a context, and DESIGN counts it as accepting one;
 * - `AbortSignal`s and cancellation tokens: classes that own an `AbortController` and hand out its signal, or keep
 *   the signal of the operation they represent, are the platform's idiom;
 * - classes that are contexts themselves (`class C implements Context`): a context holds its parent by design;
 * - disposable classes (`[Symbol.dispose]` / `[Symbol.asyncDispose]`): the object owns the context for its
 *   lifetime and ends it on dispose, as ctxkit's own cancel scope does — a scope, not a stored request context.
 */
import { ESLintUtils, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { classImplementsContext } from "../analysis/classContext";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { createRule } from "../util/createRule";

type Options = [{ contextTypes?: ContextTypeSpec[] }];
type MessageIds = "storedContext";

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

export default createRule<Options, MessageIds>({
  name: "no-stored-context",
  meta: {
    type: "suggestion",
    docs: {
      description: "Disallow storing a ctxkit Context in a class field",
      recommended: false,
      requiresTypeChecking: true,
    },
    messages: {
      storedContext:
        "The field `{{field}}` of `{{cls}}` stores a `{{type}}`; pass the context to each method that needs it instead, so every call has its own deadline and cancellation.",
    },
    schema: [{ type: "object", properties: { contextTypes: contextTypesSchema }, additionalProperties: false }],
  },
  defaultOptions: [{}],
  create(context, [options]) {
    const services = ESLintUtils.getParserServices(context);
    const matcher = getContextTypeMatcher(services.program, options.contextTypes);
    // Speed path: only ctxkit and custom contexts are reported; none can exist in a program without them
    // (e.g. no ctxkit file under the default option set), so skip the file before any type query.
    if (!matcher.mayMatchKind(["ctxkit", "custom"])) return {};
    const checker = services.program.getTypeChecker();
    const sourceCode = context.sourceCode;
    const disposable = new Map<ClassNode, boolean>();

    function classIsContext(cls: ClassNode): boolean {
      return classImplementsContext(services.esTreeNodeToTSNodeMap.get(cls) as ts.ClassLikeDeclaration, matcher);
    }

    /** A class with `[Symbol.dispose]`/`[Symbol.asyncDispose]` owns what it holds for its lifetime (a cancel scope). */
    function isDisposable(cls: ClassNode): boolean {
      let r = disposable.get(cls);
      if (r === undefined) {
        const tsClass = services.esTreeNodeToTSNodeMap.get(cls) as ts.ClassLikeDeclaration;
        const symbol = tsClass.name ? checker.getSymbolAtLocation(tsClass.name) : undefined;
        // The instance side: the declared type of a named class, else what the class expression constructs.
        const instance = symbol
          ? checker.getDeclaredTypeOfSymbol(symbol)
          : checker.getTypeAtLocation(tsClass).getConstructSignatures()[0]?.getReturnType();
        r = instance !== undefined && checker.getPropertiesOfType(instance).some((p) => /^__@(?:dispose|asyncDispose)@/.test(p.getEscapedName() as string));
        disposable.set(cls, r);
      }
      return r;
    }

    function className(cls: ClassNode): string {
      if (cls.id) return cls.id.name;
      const p = cls.parent;
      return p?.type === "VariableDeclarator" && p.id.type === "Identifier" ? p.id.name : "this class";
    }

    function report(node: TSESTree.Node, cls: ClassNode, type: ts.Type, field: string): void {
      const m = matcher.match(type);
      if (!m || (m.kind !== "ctxkit" && m.kind !== "custom")) return;
      if (classIsContext(cls) || isDisposable(cls)) return;
      context.report({ node, messageId: "storedContext", data: { field, cls: className(cls), type: m.typeName } });
    }

    function keyName(key: TSESTree.Node): string {
      if (key.type === "Identifier") return key.name;
      if (key.type === "PrivateIdentifier") return `#${key.name}`;
      return sourceCode.getText(key);
    }

    function onField(node: TSESTree.PropertyDefinition | TSESTree.TSAbstractPropertyDefinition | TSESTree.AccessorProperty | TSESTree.TSAbstractAccessorProperty): void {
      const cls = node.parent.parent as ClassNode;
      const tsNode = services.esTreeNodeToTSNodeMap.get(node) as ts.PropertyDeclaration;
      const symbol = checker.getSymbolAtLocation(tsNode.name);
      if (!symbol) return;
      report(node.key, cls, checker.getTypeOfSymbol(symbol), keyName(node.key));
    }

    return {
      PropertyDefinition: onField,
      TSAbstractPropertyDefinition: onField,
      AccessorProperty: onField,
      TSAbstractAccessorProperty: onField,
      TSParameterProperty(node) {
        const ctor = node.parent;
        const cls = ctor.parent?.parent?.parent;
        if (cls?.type !== "ClassDeclaration" && cls?.type !== "ClassExpression") return;
        const param = node.parameter.type === "AssignmentPattern" ? node.parameter.left : node.parameter;
        if (param.type !== "Identifier") return;
        report(param, cls, services.getTypeAtLocation(param), param.name);
      },
    };
  },
});
