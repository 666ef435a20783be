/**
 * A package's public API, as its package.json publishes it: the exports of the modules named by `exports`
 * (every condition and subpath), `main`, `module` and `types`. Not every module-level `export` — a function
 * exported from an internal module is still free to change its signature.
 *
 * Entries usually point at build output (`./dist/index.js`); they are mapped back to the sources the program
 * holds (`src/index.ts`) by trying the usual source folders and extensions.
 */
import { dirname } from "node:path";
import ts from "typescript";

export class PublicApi {
  private readonly byPackageDir = new Map<string, Set<ts.Node> | null>();
  private readonly packageDirOf = new Map<string, string | null>();

  constructor(private readonly program: ts.Program) {}

  /** Whether `declaration` (a function, method, or the variable a function is bound to) is public API. */
  isPublic(declaration: ts.Node): boolean {
    const fileName = declaration.getSourceFile().fileName;
    const dir = this.packageDir(dirname(fileName));
    if (!dir) return false;
    const exported = this.exportedDeclarations(dir);
    if (!exported) return false;
    for (let n: ts.Node | undefined = declaration; n && !ts.isSourceFile(n); n = n.parent) {
      if (exported.has(n)) return true;
    }
    return false;
  }

  private exportedDeclarations(dir: string): Set<ts.Node> | null {
    const cached = this.byPackageDir.get(dir);
    if (cached !== undefined) return cached;
    let result: Set<ts.Node> | null = null;
    const text = ts.sys.readFile(`${dir}/package.json`);
    if (text !== undefined) {
      let manifest: Record<string, unknown> = {};
      try {
        manifest = JSON.parse(text) as Record<string, unknown>;
      } catch {
        manifest = {};
      }
      const entries = new Set<string>();
      const collect = (v: unknown): void => {
        if (typeof v === "string") entries.add(v);
        else if (Array.isArray(v)) v.forEach(collect);
        else if (v && typeof v === "object") Object.values(v).forEach(collect);
      };
      collect(manifest["exports"]);
      for (const key of ["main", "module", "types", "typings"]) collect(manifest[key]);
      const checker = this.program.getTypeChecker();
      result = new Set();
      for (const entry of entries) {
        if (entry.endsWith("package.json")) continue;
        const sf = this.sourceFor(dir, entry);
        const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
        if (!moduleSymbol) continue;
        for (let symbol of checker.getExportsOfModule(moduleSymbol)) {
          if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
          for (const d of symbol.declarations ?? []) result.add(d);
        }
      }
    }
    this.byPackageDir.set(dir, result);
    return result;
  }

  /** The program's source file for a package entry such as `./dist/index.js`. */
  private sourceFor(dir: string, entry: string): ts.SourceFile | undefined {
    const rel = entry.replace(/^\.\//, "");
    const stem = rel.replace(/\.d\.[cm]?ts$|\.[cm]?[jt]sx?$/, "");
    const stems = [stem, stem.replace(/^(dist|lib|build|out|esm|cjs)\//, "src/"), stem.replace(/^(dist|lib|build|out|esm|cjs)\//, "")];
    for (const s of stems) {
      for (const ext of [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]) {
        const sf = this.program.getSourceFile(`${dir}/${s}${ext}`);
        if (sf) return sf;
      }
    }
    return undefined;
  }

  private packageDir(dir: string): string | null {
    const cached = this.packageDirOf.get(dir);
    if (cached !== undefined) return cached;
    let result: string | null;
    if (ts.sys.fileExists(`${dir}/package.json`)) result = dir;
    else {
      const parent = dirname(dir);
      result = parent !== dir ? this.packageDir(parent) : null;
    }
    this.packageDirOf.set(dir, result);
    return result;
  }
}
