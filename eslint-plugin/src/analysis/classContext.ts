/**
 * Classes that are contexts by declaration: `class C implements Context`, or one that extends such a class.
 *
 * The type matcher (contextTypes.ts) follows `extends` through the checker's base types; a class's `implements`
 * list is not a base type, so it is asked here, for the rules that need to know whether a class (or a parameter
 * typed with it) is itself a context: a context holding its parent in a field is the design, not a stored
 * context, and a parameter of such a class is a context parameter.
 */
import ts from "typescript";
import type { ContextTypeMatcher } from "./contextTypes";

const caches = new WeakMap<ContextTypeMatcher, Map<ts.ClassLikeDeclaration, boolean>>();

/** Whether `decl` (or a class it extends) names a context type in `implements` or `extends`. */
export function classImplementsContext(decl: ts.ClassLikeDeclaration, matcher: ContextTypeMatcher): boolean {
  let cache = caches.get(matcher);
  if (!cache) caches.set(matcher, (cache = new Map()));
  const cached = cache.get(decl);
  if (cached !== undefined) return cached;
  cache.set(decl, false); // guards cycles
  let result = false;
  const checker = matcher.checker;
  outer: for (const clause of decl.heritageClauses ?? []) {
    for (const t of clause.types) {
      const type = checker.getTypeAtLocation(t);
      if (matcher.isContext(type)) {
        result = true;
        break outer;
      }
      if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const d of type.getSymbol()?.getDeclarations() ?? []) {
        if (ts.isClassLike(d) && classImplementsContext(d, matcher)) {
          result = true;
          break outer;
        }
      }
    }
  }
  cache.set(decl, result);
  return result;
}

/** Whether `type` is an instance of such a class. */
export function isContextClassInstance(type: ts.Type, matcher: ContextTypeMatcher): boolean {
  const decls = type.getSymbol()?.getDeclarations() ?? [];
  return decls.some((d) => ts.isClassLike(d) && classImplementsContext(d, matcher));
}
