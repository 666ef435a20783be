/**
 * Recognising calls into the ctxkit runtime (`withCancel(...)`, `todo()`, `race(ctx, p)`, ...) through the
 * type checker: the callee's symbol, with import aliases followed, must be declared in the `ctxkit` package.
 * A local function that happens to be called `withTimeout` is not ctxkit's.
 */
import ts from "typescript";
import type { ContextTypeMatcher } from "./contextTypes";

/** withCancel, withTimeout, withDeadline and their Cause variants: a cancel scope derived from a parent. */
const DERIVING_CANCEL_SCOPES = ["withCancel", "withCancelCause", "withTimeout", "withTimeoutCause", "withDeadline", "withDeadlineCause"];

/** Constructors of cancel scopes: their result holds a cancel function that must be called (lostcancel). */
export const CANCEL_SCOPE_FACTORIES: ReadonlySet<string> = new Set([
  ...DERIVING_CANCEL_SCOPES,
  "fromSignal",
  "requestContext",
  "withIncomingDeadline",
]);

/** Contexts that nobody can cancel: passing one where a live context is in scope drops it. */
export const DETACHED_ROOTS: ReadonlySet<string> = new Set(["background", "todo"]);

/** The package names whose exports count as ctxkit's (the core and `ctxkit/node` share the package). */
const CTXKIT_PACKAGE = "ctxkit";

/**
 * Speed path: whether the program holds any file of the ctxkit package (cached per program and option set).
 * Without one nothing can be a ctxkit export, a cancel scope or ctxkit's `CancelScope`, so the rules about
 * cancel scopes return no listeners, and {@link ctxkitExportName} answers without asking the checker.
 */
export function programUsesCtxkit(matcher: ContextTypeMatcher): boolean {
  return matcher.programHasPackage(CTXKIT_PACKAGE);
}

/** Whole-word occurrences of any cancel-scope factory name, built from {@link CANCEL_SCOPE_FACTORIES}. */
const FACTORY_WORD = new RegExp(`\\b(?:${[...CANCEL_SCOPE_FACTORIES].join("|")})\\b`);

/**
 * Speed path: whether `text` names a cancel-scope factory as a whole word. A plain substring test for each name
 * runs first (no regular expression over the whole file); the word pattern runs only on a hit.
 */
export function namesCancelScopeFactory(text: string): boolean {
  for (const name of CANCEL_SCOPE_FACTORIES) if (text.includes(name)) return FACTORY_WORD.test(text);
  return false;
}

/**
 * ctxkit functions whose result is a context (or a cancel scope holding one) derived from their first argument
 * and cancelled with it. `withoutCancel` keeps only the values, and `fromSignal` also follows its signal, so
 * callers treat those two on their own.
 */
export const DERIVED_FROM_PARENT: ReadonlySet<string> = new Set([
  ...DERIVING_CANCEL_SCOPES,
  "withValue",
  "withIncomingDeadline",
]);

/**
 * The name under which ctxkit exports the function called by `call`, or `undefined` when the callee is not a
 * ctxkit export. Works for named imports (also renamed), namespace imports (`ck.withCancel`) and `require`.
 */
export function ctxkitCalleeName(call: ts.CallExpression | ts.NewExpression, matcher: ContextTypeMatcher): string | undefined {
  const callee = skipOuter(call.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  if (!ts.isIdentifier(nameNode)) return undefined;
  return ctxkitExportName(nameNode, matcher);
}

/** The ctxkit export an identifier refers to, or `undefined`. */
export function ctxkitExportName(id: ts.Identifier, matcher: ContextTypeMatcher): string | undefined {
  if (!programUsesCtxkit(matcher)) return undefined; // speed path: no ctxkit file, no ctxkit export
  const checker = matcher.checker;
  let symbol = checker.getSymbolAtLocation(id);
  if (!symbol) return undefined;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!decl) return undefined;
  if (matcher.packageNameOf(decl.getSourceFile()) !== CTXKIT_PACKAGE) return undefined;
  return symbol.getName();
}

/** Strips parentheses, `!`, `as`, `satisfies` and type assertions around an expression. */
export function skipOuter(node: ts.Expression): ts.Expression {
  let n = node;
  for (;;) {
    if (ts.isParenthesizedExpression(n) || ts.isNonNullExpression(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n)) {
      n = n.expression;
    } else {
      return n;
    }
  }
}
