/**
 * The two questions Thread ctx asks about contexts: which context is in scope at a call site (the caller
 * passes it), and where a callee that accepts a context gets none (the target starts using its new
 * parameter there). Types are matched by the plugin's ContextTypeMatcher, so the server, the rules and this
 * engine agree on what a context is.
 *
 * Who accepts a context is the plugin's `analysis/accepts.ts`. The context in scope is answered here, narrowly
 * (parameters and variables declared before the call); the plugin's `analysis/scope.ts` is the general answer.
 */
import ts from "typescript";
import type { ContextTypeMatcher } from "../../../eslint-plugin/src/analysis/contextTypes";
import { analyzeCallAcceptance, isCalleeTheContext } from "../../../eslint-plugin/src/analysis/accepts";
import { DETACHED_ROOTS, ctxkitCalleeName } from "../../../eslint-plugin/src/analysis/ctxkitApi";
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

/**
 * The drop sites in `fn`'s body, including anonymous callbacks inside it but not nested named functions or
 * classes (those are functions of their own). `marker` is a `todo()` call the user pointed at; it is always
 * replaced.
 */
export function dropSites(fn: ts.SignatureDeclaration, matcher: ContextTypeMatcher): DropSite[] {
  const body = bodyOf(fn);
  if (!body) return [];
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
      const site = missingContext(n, matcher);
      if (site) sites.push(site);
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return sites;
}

/** A call whose callee accepts a ctxkit Context or an AbortSignal and gets nothing there (the plugin's accepts analysis). */
function missingContext(call: ts.CallExpression, matcher: ContextTypeMatcher): DropSite | undefined {
  if (isCalleeTheContext(call, matcher)) return undefined;
  const acceptance = analyzeCallAcceptance(call, matcher);
  if (!acceptance || acceptance.passed.state !== "missing") return undefined;
  const { slot, passed } = acceptance;
  if (slot.kind !== "ctxkit" && slot.kind !== "signal") return undefined;
  if (slot.form === "option" && passed.literal) return { kind: "property", literal: passed.literal, property: slot.property, wants: slot.kind };
  if (slot.index !== call.arguments.length) return undefined; // a gap before the slot: nothing safe to append
  return slot.form === "option" ? { kind: "append", call, wants: slot.kind, bagProperty: slot.property } : { kind: "append", call, wants: slot.kind };
}

/** Whether the unit's own parameters already include a context. */
export function ownContextParameter(fn: ts.SignatureDeclaration, matcher: ContextTypeMatcher): string | undefined {
  for (const p of fn.parameters) {
    const type = matcher.checker.getTypeAtLocation(p);
    if (matcher.match(type)) return p.name.getText();
  }
  return undefined;
}
