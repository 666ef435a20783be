/**
 * The two questions Thread ctx asks about contexts: which context is in scope at a call site (the caller
 * passes it), and where a callee that accepts a context gets none (the target starts using its new
 * parameter there). Types are matched by the plugin's ContextTypeMatcher, so the server, the rules and this
 * engine agree on what a context is.
 *
 * These are deliberately narrow: the plugin's shared `analysis/scope.ts` and `analysis/accepts.ts` are the
 * general answers; when they land, these functions become thin adapters over them.
 */
import ts from "typescript";
import type { ContextTypeMatcher } from "../../../eslint-plugin/src/analysis/contextTypes";
import { DETACHED_ROOTS, ctxkitCalleeName, skipOuter } from "../../../eslint-plugin/src/analysis/ctxkitApi";
import { bodyOf } from "./functions";

/** A context visible at a call site: the expression that names it and its family. */
export interface InScope {
  text: string;
  kind: "ctxkit" | "signal" | "token" | "custom";
}

/**
 * The context in scope at `node`: a parameter or a variable declared before `node` in an enclosing block,
 * whose type is a context and cannot be `undefined`. The innermost ctxkit `Context` wins over a signal.
 */
export function contextInScope(node: ts.Node, matcher: ContextTypeMatcher): InScope | undefined {
  const checker = matcher.checker;
  let best: InScope | undefined;
  const consider = (name: ts.Identifier): boolean => {
    const type = checker.getTypeAtLocation(name);
    if (type.flags & ts.TypeFlags.Any) return false;
    const nullable = checker.getNonNullableType(type) !== type;
    if (nullable) return false;
    const match = matcher.match(type);
    if (!match) return false;
    if (match.kind === "ctxkit") {
      best = { text: name.text, kind: "ctxkit" };
      return true;
    }
    best ??= { text: name.text, kind: match.kind };
    return false;
  };
  const names = (binding: ts.BindingName, out: ts.Identifier[]): void => {
    if (ts.isIdentifier(binding)) out.push(binding);
    else for (const el of binding.elements) if (!ts.isOmittedExpression(el)) names(el.name, out);
  };
  const position = node.getStart();
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    const ids: ts.Identifier[] = [];
    if (ts.isFunctionLike(n)) for (const p of n.parameters) names(p.name, ids);
    if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) {
      for (const st of n.statements) {
        if (st.getStart() >= position) break;
        if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) names(d.name, ids);
      }
    }
    if ((ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isForStatement(n)) && n.initializer && ts.isVariableDeclarationList(n.initializer)) {
      for (const d of n.initializer.declarations) names(d.name, ids);
    }
    for (const id of ids) if (consider(id)) return best;
  }
  return best;
}

/** Where the target drops a context: a spot that receives the new parameter. */
export type DropSite =
  /** `todo()` / `background()` passed where a context goes: replace it. `signalOf` when it is `todo().signal`. */
  | { kind: "replace"; node: ts.Expression; wants: "ctxkit" | "signal" }
  /** A missing argument at the end of the argument list. */
  | { kind: "append"; call: ts.CallExpression; wants: "ctxkit" | "signal"; bagProperty?: string }
  /** An options object literal without its context property (`fetch(url, { method })`). */
  | { kind: "property"; literal: ts.ObjectLiteralExpression; property: string; wants: "ctxkit" | "signal" };

const BAG_PROPERTIES = ["signal", "ctx", "context", "cancellationToken", "token", "abortSignal"];

/**
 * The drop sites in `fn`'s body, including anonymous callbacks inside it but not nested named functions or
 * classes (those are functions of their own). `marker` is a `todo()` call the user pointed at; it is always
 * replaced.
 */
export function dropSites(fn: ts.SignatureDeclaration, matcher: ContextTypeMatcher): DropSite[] {
  const body = bodyOf(fn);
  if (!body) return [];
  const checker = matcher.checker;
  const sites: DropSite[] = [];
  const visit = (n: ts.Node): void => {
    if (n !== body && (ts.isFunctionDeclaration(n) || ts.isClassLike(n) || ts.isMethodDeclaration(n))) return;
    if (ts.isCallExpression(n)) {
      const root = ctxkitCalleeName(n, matcher);
      if (root && DETACHED_ROOTS.has(root)) {
        // `todo().signal` is the marker in signal form; `todo()` alone in Context form.
        const parent = n.parent;
        if (ts.isPropertyAccessExpression(parent) && parent.expression === n && parent.name.text === "signal") {
          sites.push({ kind: "replace", node: parent, wants: "signal" });
        } else if (root === "todo" || (ts.isCallOrNewExpression(parent) && parent.arguments?.includes(n))) {
          sites.push({ kind: "replace", node: n, wants: "ctxkit" });
        }
        return;
      }
      const site = missingContext(n, checker, matcher);
      if (site) sites.push(site);
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return sites;
}

function missingContext(call: ts.CallExpression, checker: ts.TypeChecker, matcher: ContextTypeMatcher): DropSite | undefined {
  const signature = checker.getResolvedSignature(call);
  if (!signature) return undefined;
  const params = signature.getParameters();
  const args = call.arguments;
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    const decl = param.valueDeclaration;
    if (decl && ts.isParameter(decl) && decl.dotDotDotToken) return undefined;
    const type = checker.getTypeOfSymbol(param);
    const match = matcher.match(type);
    const arg = args[i];
    if (match && (match.kind === "ctxkit" || match.kind === "signal")) {
      if (arg === undefined && args.length === i) return { kind: "append", call, wants: match.kind };
      continue;
    }
    const bag = bagProperty(type, checker, matcher);
    if (!bag) continue;
    if (arg === undefined) {
      return args.length === i && !args.some((a) => ts.isSpreadElement(a)) ? { kind: "append", call, wants: bag.wants, bagProperty: bag.name } : undefined;
    }
    const literal = skipOuter(arg);
    if (ts.isObjectLiteralExpression(literal) && !literal.properties.some((p) => ts.isSpreadAssignment(p) || (p.name !== undefined && propertyNameText(p.name) === bag.name))) {
      return { kind: "property", literal, property: bag.name, wants: bag.wants };
    }
  }
  return undefined;
}

/** The context-typed property of an options-bag type (`RequestInit.signal`), when it has one. */
function bagProperty(type: ts.Type, checker: ts.TypeChecker, matcher: ContextTypeMatcher): { name: string; wants: "ctxkit" | "signal" } | undefined {
  const objectType = checker.getNonNullableType(type);
  if (!(objectType.flags & ts.TypeFlags.Object) && !objectType.isIntersection()) return undefined;
  for (const name of BAG_PROPERTIES) {
    const prop = objectType.getProperty(name);
    if (!prop) continue;
    const match = matcher.match(checker.getTypeOfSymbol(prop));
    if (match && (match.kind === "ctxkit" || match.kind === "signal")) return { name, wants: match.kind };
  }
  return undefined;
}

function propertyNameText(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name) ? name.text : undefined;
}

/** Whether the unit's own parameters already include a context. */
export function ownContextParameter(fn: ts.SignatureDeclaration, matcher: ContextTypeMatcher): string | undefined {
  for (const p of fn.parameters) {
    const type = matcher.checker.getTypeAtLocation(p);
    if (matcher.match(type)) return p.name.getText();
  }
  return undefined;
}
