/**
 * no-null-context: do not pass `null` or `undefined` where a ctxkit `Context` parameter is expected —
 * staticcheck's SA1012 ("do not pass a nil Context, even if a function permits it; pass context.TODO").
 *
 * TypeScript catches this under `strictNullChecks`, but not through `any`, in JavaScript, or in a project that
 * builds without strict null checks — and ctxkit throws a `TypeError` for a null parent at run time.
 *
 * Reported: an argument that is `null`, `undefined` or `void …` (also behind `as`/`!`), at the position of a
 * parameter of the resolved signature whose type is a ctxkit `Context` (or a `custom` context type from the
 * `contextTypes` option) and whose declared type does not admit that value. Respected, as explicit opt-outs of
 * an API that allows them: `undefined` for an optional parameter (`ctx?: Context`, a default), and `null` or
 * `undefined` where the declared type includes it (`ctx: Context | null`). `AbortSignal`s and cancellation tokens
 * are not checked: `{ signal: undefined }` and `CancellationToken.None` are their normal "no signal".
 */
import { ESLintUtils, type TSESLint, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { createRule } from "../util/createRule";
import { ctxkitImport } from "../util/ctxkitImport";

type Options = [{ contextTypes?: ContextTypeSpec[] }];
type MessageIds = "nullContext" | "suggestTodo";

export default createRule<Options, MessageIds>({
  name: "no-null-context",
  meta: {
    type: "problem",
    hasSuggestions: true,
    docs: {
      description: "Disallow passing null or undefined where a ctxkit Context is expected",
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      nullContext: "`{{value}}` is passed as the context `{{param}}` of `{{callee}}`; pass a context (`todo()` when there is none yet).",
      suggestTodo: "Pass `{{todo}}` instead.",
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

    function nullish(arg: TSESTree.Node): "null" | "undefined" | undefined {
      let e = arg;
      while (e.type === "TSAsExpression" || e.type === "TSNonNullExpression" || e.type === "TSSatisfiesExpression" || e.type === "TSTypeAssertion") e = e.expression;
      if (e.type === "Literal" && e.value === null && !("regex" in e)) return "null";
      if (e.type === "Identifier" && e.name === "undefined") return "undefined";
      if (e.type === "UnaryExpression" && e.operator === "void") return "undefined";
      return undefined;
    }

    function admits(type: ts.Type, value: "null" | "undefined"): boolean {
      const flag = value === "null" ? ts.TypeFlags.Null : ts.TypeFlags.Undefined | ts.TypeFlags.Void;
      const parts = type.isUnion() ? type.types : [type];
      return parts.some((t) => (t.flags & (flag | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0);
    }

    function check(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
      // Cheap syntactic filter: only calls that pass a null-ish literal are asked about.
      const candidates = node.arguments.map((a, i) => [i, nullish(a)] as const).filter(([, v]) => v !== undefined);
      if (candidates.length === 0) return;
      const tsCall = services.esTreeNodeToTSNodeMap.get(node) as ts.CallExpression | ts.NewExpression;
      const signature = checker.getResolvedSignature(tsCall);
      if (!signature) return;
      for (const [index, value] of candidates) {
        const param = signature.parameters[index];
        const decl = param?.valueDeclaration;
        if (!param || !decl || !ts.isParameter(decl) || decl.dotDotDotToken) continue;
        const type = checker.getTypeOfSymbol(param);
        const m = matcher.match(type);
        if (!m || (m.kind !== "ctxkit" && m.kind !== "custom")) continue;
        if (value === "undefined" && (decl.questionToken || decl.initializer)) continue;
        // The declared type, not the instantiated one: `ctx: Context | null` admits null on purpose.
        const declared = decl.type ? checker.getTypeFromTypeNode(decl.type) : type;
        if (admits(declared, value!)) continue;
        const arg = node.arguments[index]!;
        const imp = ctxkitImport(sourceCode, "todo", arg);
        const suggest: TSESLint.ReportSuggestionArray<MessageIds> = [];
        if (imp && m.kind === "ctxkit") {
          suggest.push({
            messageId: "suggestTodo",
            data: { todo: `${imp.ref}()` },
            fix: (fixer) => {
              const fixes = [fixer.replaceText(arg, `${imp.ref}()`)];
              if (imp.fix) fixes.push(imp.fix(fixer));
              return fixes;
            },
          });
        }
        context.report({
          node: arg,
          messageId: "nullContext",
          data: { value: sourceCode.getText(arg), param: param.getName(), callee: calleeName(node) },
          suggest,
        });
      }
    }

    function calleeName(node: TSESTree.CallExpression | TSESTree.NewExpression): string {
      const text = sourceCode.getText(node.callee);
      const name = node.type === "NewExpression" ? `new ${text}` : text;
      return name.length > 60 ? `${name.slice(0, 57)}...` : name;
    }

    return { CallExpression: check, NewExpression: check };
  },
});
