/**
 * The two questions Thread ctx asks about contexts: which context is in scope at a call site (the caller
 * passes it), and where a callee that accepts a context gets none (the target starts using its new
 * parameter there). Types are matched by the plugin's ContextTypeMatcher, so the server, the rules and this
 * engine agree on what a context is.
 *
 * Both are thin adapters over the plugin's shared analysis: `analysis/scope.ts` (contexts in scope) and
 * `analysis/accepts.ts` (who accepts a context, and what a call passes there).
 */
import ts from "typescript";
import type { ContextKind, ContextTypeMatcher } from "../../../eslint-plugin/src/analysis/contextTypes";
import { contextsInScope, convertibleTo, type ScopeContext } from "../../../eslint-plugin/src/analysis/scope";
import { analyzeCallAcceptance, isCalleeTheContext } from "../../../eslint-plugin/src/analysis/accepts";
import { DETACHED_ROOTS, ctxkitCalleeName } from "../../../eslint-plugin/src/analysis/ctxkitApi";
import { bodyOf } from "./functions";

/** A context visible at a call site: the expression that names it and its family. */
export interface InScope {
  text: string;
  kind: ContextKind;
}

/**
 * The context a call site can pass, from the plugin's scope analysis (innermost first; parameters, their
 * context properties, locals, cancel scopes). `wants` is the form the new parameter takes: a ctxkit Context
 * (only a Context fills it), or a signal (a signal, or a Context's `.signal`). A context that may be
 * `undefined` (`opts.signal` of an optional property) is not passed: it would not type-check.
 */
export function contextInScope(node: ts.Node, matcher: ContextTypeMatcher, wants: "ctxkit" | "signal" = "ctxkit"): InScope | undefined {
  for (const ctx of contextsInScope(node, matcher)) {
    const text = convertibleTo(ctx, wants);
    if (text === undefined || mayBeUndefined(ctx, matcher)) continue;
    return { text, kind: ctx.kind };
  }
  return undefined;
}

function mayBeUndefined(ctx: ScopeContext, matcher: ContextTypeMatcher): boolean {
  const checker = matcher.checker;
  let type = checker.getTypeAtLocation(ctx.declaration);
  if (ctx.origin === "parameterProperty" || ctx.origin === "localProperty") {
    const prop = checker.getNonNullableType(type).getProperty(ctx.text.slice(ctx.text.lastIndexOf(".") + 1));
    if (!prop) return true;
    if (checker.getNonNullableType(type) !== type) return true; // `opts?.signal`: the holder itself may be missing
    type = checker.getTypeOfSymbol(prop);
  }
  return (type.flags & ts.TypeFlags.Any) !== 0 || checker.getNonNullableType(type) !== type;
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
