import type { TSESLint, TSESTree } from "@typescript-eslint/utils";

/**
 * A name for a new binding at `at` that shadows nothing and is not used from there: `base`, else `base2`,
 * `base3`, … Fixes that introduce a variable (`using scope = …`, a per-iteration context) ask here.
 */
export function freshName(sourceCode: Readonly<TSESLint.SourceCode>, at: TSESTree.Node, base: string): string {
  const scope = sourceCode.getScope(at);
  const taken = (n: string): boolean => {
    for (let s: TSESLint.Scope.Scope | null = scope; s; s = s.upper) {
      if (s.set.has(n) || s.through.some((r) => r.identifier.name === n)) return true;
    }
    // A nested scope that declares it would be shadowed by nothing, but would itself hide the new binding.
    return scope.childScopes.some((s) => s.set.has(n));
  };
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}
