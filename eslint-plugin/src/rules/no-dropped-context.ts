/**
 * no-dropped-context: a context is in scope, and a call that accepts one gets nothing, `background()`/`todo()`,
 * a fresh `AbortController`'s signal, `AbortSignal.timeout(…)`, or a context that is not derived from the one in
 * scope (a module global, a stored field). Go's contextcheck and .NET's CA2016 for TypeScript.
 *
 * The judgement is `contextUseOfCall` (analysis/accepts.ts) over `contextsInScope` (analysis/scope.ts); the
 * language server runs this same rule.
 */
import { ESLintUtils, type TSESLint, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { contextSlotsOfCall, contextUseOfCall, returnsPlainData, type ContextSlot } from "../analysis/accepts";
import { contextTypesSchema, getContextTypeMatcher, type ContextTypeMatcher, type ContextTypeSpec } from "../analysis/contextTypes";
import { skipOuter } from "../analysis/ctxkitApi";
import { contextsInScope, convertibleTo, isGuardedBy, mayHaveContextInScope, normalizeContextText, type DetachedReason, type ScopeContext } from "../analysis/scope";
import { createRule } from "../util/createRule";

type Options = [{ contextTypes?: ContextTypeSpec[]; ignoreCallees?: string[] }];
type MessageIds = "missing" | "detached" | "passContext";

const DETACHED_TEXT: Record<DetachedReason, string> = {
  background: "`background()`",
  todo: "`todo()`",
  abortController: "the signal of a fresh `AbortController`",
  timeout: "`AbortSignal.timeout(…)`",
  global: "a module-level context",
  field: "a context stored in a field",
};

/**
 * Speed path: the contexts in scope of each call, per matcher (one program and option set). A program never
 * changes, so neither does the answer; the server's next program gets a new matcher and the old cache goes.
 */
const scopeCaches = new WeakMap<ContextTypeMatcher, WeakMap<ts.Node, readonly ScopeContext[]>>();

export default createRule<Options, MessageIds>({
  name: "no-dropped-context",
  meta: {
    type: "problem",
    docs: {
      description: "Require passing the context in scope to calls that accept one",
      recommended: true,
      requiresTypeChecking: true,
    },
    fixable: "code",
    hasSuggestions: true,
    messages: {
      missing: "`{{callee}}` accepts {{slot}} but gets none while `{{ctx}}` ({{type}}) is in scope{{hint}}.",
      detached: "`{{callee}}` gets {{what}} while `{{ctx}}` ({{type}}) is in scope{{hint}}.",
      passContext: "Pass `{{text}}`.",
    },
    schema: [
      {
        type: "object",
        properties: {
          contextTypes: contextTypesSchema,
          ignoreCallees: {
            type: "array",
            description: "Callees never reported, by name (`log`) or dotted path as written (`logger.info`).",
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
    const ignore = new Set(options.ignoreCallees ?? []);
    const source = context.sourceCode;
    let scopes = scopeCaches.get(matcher);
    if (!scopes) scopeCaches.set(matcher, (scopes = new WeakMap()));
    const scopeCache = scopes;

    function scopeOf(call: ts.CallExpression | ts.NewExpression): readonly ScopeContext[] {
      let scope = scopeCache.get(call);
      if (!scope) scopeCache.set(call, (scope = contextsInScope(call, matcher)));
      return scope;
    }

    function check(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
      const call = services.esTreeNodeToTSNodeMap.get(node) as ts.CallExpression | ts.NewExpression;
      if (ignore.size > 0 && isIgnored(call, ignore)) return;
      // Speed path, cheapest first: a call with no function around it that has parameters or locals cannot have a
      // context in scope (no type query); then the callee's slots (one query of the callee, cached per signature);
      // the contexts in scope (parameter and local types, cached per function) only for calls that take one.
      if (!mayHaveContextInScope(call, matcher)) return;
      if (contextSlotsOfCall(call, matcher).length === 0) return;
      const scope = scopeOf(call);
      if (scope.length === 0) return;
      const calleeText = calleeLabel(call);
      const use = contextUseOfCall(call, scope, matcher);
      if (use.state !== "missing" && use.state !== "detached") return;
      if (isGuardedBy(call, use.target, matcher)) return;
      if (use.state === "missing" && isCombinedWith(call, use.target, matcher.checker)) return;
      // A synchronous callee that returns plain data has nothing left running for the context to cancel.
      if (use.state === "missing" && returnsPlainData(call, use.acceptance.slot, matcher)) return;
      const { slot } = use.acceptance;
      const hint = use.text === undefined ? "; wrap it with `fromSignal(…)` to get a Context" : "";
      // `contextNode` (the context's declaration) is the server's related information: "the context in scope".
      const data = { callee: calleeText, ctx: use.target.text, type: use.target.typeName, hint, contextNode: use.target.declaration };
      if (use.state === "missing") {
        const edit = use.text === undefined ? undefined : insertEdit(call, slot, use.acceptance.passed, use.text);
        context.report({
          node: node.callee,
          messageId: "missing",
          data: { ...data, slot: describeSlot(slot) },
          suggest: edit ? [{ messageId: "passContext", data: { text: use.text! }, fix: edit }] : [],
        });
        return;
      }
      const target = use.node;
      const reported = services.tsNodeToESTreeNodeMap.get(target) as TSESTree.Node;
      const text = use.text;
      const fix = text === undefined ? undefined : (fixer: TSESLint.RuleFixer) => replaceEdit(fixer, target, slot, text);
      // `todo()` is a placeholder by definition: replacing it is the hygiene fix itself, when the choice is unique.
      const candidates = new Set(scope.map((c) => convertibleTo(c, slot.kind)).filter((t) => t !== undefined));
      const autofix = fix !== undefined && use.reason === "todo" && candidates.size === 1 && !use.target.optional;
      context.report({
        node: reported,
        messageId: "detached",
        data: { ...data, what: DETACHED_TEXT[use.reason] },
        fix: autofix ? fix : null,
        suggest: fix && !autofix ? [{ messageId: "passContext", data: { text: text! }, fix }] : [],
      });
    }

    function insertEdit(call: ts.CallExpression | ts.NewExpression, slot: ContextSlot, passed: { state: string; literal?: ts.ObjectLiteralExpression }, text: string): TSESLint.ReportFixFunction | undefined {
      const args = call.arguments;
      if (slot.form === "option" && passed.literal) {
        const literal = passed.literal;
        const prop = propertyText(slot.property, text);
        const last = literal.properties[literal.properties.length - 1];
        if (!last) return (fixer) => fixer.replaceTextRange([literal.getStart(), literal.end], `{ ${prop} }`);
        return (fixer) => fixer.insertTextAfterRange([last.getStart(), last.end], `, ${prop}`);
      }
      if (!args) return undefined; // `new X` without parentheses
      if (slot.index !== args.length) return undefined; // would need placeholders for skipped parameters
      const value = slot.form === "positional" ? text : `{ ${propertyText(slot.property, text)} }`;
      const last = args[args.length - 1];
      if (last) return (fixer) => fixer.insertTextAfterRange([last.getStart(), last.end], `, ${value}`);
      const close = source.getTokenByRangeStart(call.end - 1);
      if (!close || close.value !== ")") return undefined;
      return (fixer) => fixer.insertTextBeforeRange(close.range, value);
    }

    return {
      CallExpression: check,
      NewExpression: check,
    };
  },
});

function propertyText(property: string, text: string): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(property) ? property : JSON.stringify(property);
  return key === text ? key : `${key}: ${text}`;
}

function replaceEdit(fixer: TSESLint.RuleFixer, target: ts.Expression, slot: ContextSlot, text: string): TSESLint.RuleFix {
  const parent = target.parent;
  if (ts.isShorthandPropertyAssignment(parent) && slot.form === "option") {
    return fixer.replaceTextRange([parent.getStart(), parent.end], propertyText(slot.property, text));
  }
  return fixer.replaceTextRange([target.getStart(), target.end], text);
}

function describeSlot(slot: ContextSlot): string {
  const article = /^[AEIOU]/.test(slot.typeName) ? "an" : "a";
  return slot.form === "positional" ? `${article} ${slot.typeName}` : `${article} ${slot.typeName} (option \`${slot.property}\`)`;
}

/** The callee as written, shortened for messages: `fetch`, `client.query`, `new Worker`. */
function calleeLabel(call: ts.CallExpression | ts.NewExpression): string {
  let text = skipOuter(call.expression).getText().replace(/\s+/g, "");
  if (text.length > 40) text = `…${text.slice(-39)}`;
  return ts.isNewExpression(call) ? `new ${text}` : text;
}

function isIgnored(call: ts.CallExpression | ts.NewExpression, ignore: ReadonlySet<string>): boolean {
  const callee = skipOuter(call.expression);
  if (ignore.has(callee.getText().replace(/\s+/g, ""))) return true;
  if (ts.isIdentifier(callee)) return ignore.has(callee.text);
  return ts.isPropertyAccessExpression(callee) && ignore.has(callee.name.text);
}

/**
 * The call's result is combined with the context in scope: it, or the `const` it initialises, is an element of an
 * array or an argument list that also holds the context (`anySignal([timeout, options?.signal])`,
 * `AbortSignal.any([getTimeoutSignal(), signal])`). The combination is what reaches the work, so the call itself
 * needs no context: the in-scope one is derived in right after (a real-code false positive before this check).
 */
function isCombinedWith(call: ts.CallExpression | ts.NewExpression, target: ScopeContext, checker: ts.TypeChecker): boolean {
  const wanted = normalizeContextText(target.text);
  const mentionsTarget = (e: ts.Expression): boolean => {
    const text = normalizeContextText(skipOuter(ts.isSpreadElement(e) ? e.expression : e).getText());
    return text === wanted || text.startsWith(`${wanted}.`);
  };
  const combinedAt = (e: ts.Expression): boolean => {
    let node: ts.Node = e;
    while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
    const parent = node.parent;
    const siblings = ts.isArrayLiteralExpression(parent) ? parent.elements : (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== node ? parent.arguments ?? [] : [];
    return siblings.some((sibling) => sibling !== node && mentionsTarget(sibling));
  };
  if (combinedAt(call)) return true;
  // `const t = f(); … anySignal([t, signal])`: follow the binding through the enclosing function only.
  let decl: ts.Node = call;
  while (ts.isParenthesizedExpression(decl.parent) || ts.isAsExpression(decl.parent) || ts.isNonNullExpression(decl.parent)) decl = decl.parent;
  const binding = decl.parent;
  if (!ts.isVariableDeclaration(binding) || binding.initializer !== decl || !ts.isIdentifier(binding.name)) return false;
  const symbol = checker.getSymbolAtLocation(binding.name);
  const container = binding.parent.parent.parent; // declaration → list → statement → block
  if (!symbol || !container) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n !== binding.name && n.text === binding.name.getText() && checker.getSymbolAtLocation(n) === symbol && combinedAt(n)) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(container);
  return found;
}
