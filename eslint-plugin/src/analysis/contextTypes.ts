/**
 * What counts as a context: the one place that answers "is this type a context?" for every rule.
 *
 * A context is recognised by its type, never by a variable name. The default set is ctxkit's `Context`,
 * the global `AbortSignal`, and cancellation tokens (anything with `isCancellationRequested` and
 * `onCancellationRequested`, as vscode and vscode-jsonrpc have). Teams extend the set with the
 * `contextTypes` option, which every rule accepts in the same shape.
 */
import type { JSONSchema4 } from "@typescript-eslint/utils/json-schema";
import ts from "typescript";

/** The family a context belongs to; fixes use it to convert between forms (a `Context` has `.signal`). */
export type ContextKind = "ctxkit" | "signal" | "token" | "custom";

/**
 * One entry of the `contextTypes` option.
 * - `{ from: "package", package, name }`: a type named `name` declared in the npm package `package`.
 * - `{ from: "global", name }`: a global type (a lib type such as `AbortSignal`, or `declare global`).
 * - `{ from: "shape", properties }`: any type that has all of these properties (structural).
 * - `{ from: "file", name, path? }`: a type declared in this project (optionally in a file whose path ends with `path`).
 */
export type ContextTypeSpec =
  | { from: "package"; package: string; name: string; kind?: ContextKind }
  | { from: "global"; name: string; kind?: ContextKind }
  | { from: "shape"; properties: string[]; kind?: ContextKind }
  | { from: "file"; name: string; path?: string; kind?: ContextKind };

export const DEFAULT_CONTEXT_TYPES: readonly ContextTypeSpec[] = [
  { from: "package", package: "ctxkit", name: "Context", kind: "ctxkit" },
  { from: "global", name: "AbortSignal", kind: "signal" },
  { from: "shape", properties: ["isCancellationRequested", "onCancellationRequested"], kind: "token" },
];

const kindSchema: JSONSchema4 = { type: "string", enum: ["ctxkit", "signal", "token", "custom"] };

/** JSON schema of the `contextTypes` option, shared by every rule's schema. */
export const contextTypesSchema: JSONSchema4 = {
  type: "array",
  description: "Types that count as a context, replacing the default set (ctxkit Context, AbortSignal, cancellation tokens).",
  items: {
    oneOf: [
      {
        type: "object",
        properties: { from: { type: "string", enum: ["package"] }, package: { type: "string", minLength: 1 }, name: { type: "string", minLength: 1 }, kind: kindSchema },
        required: ["from", "package", "name"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: { from: { type: "string", enum: ["global"] }, name: { type: "string", minLength: 1 }, kind: kindSchema },
        required: ["from", "name"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: {
          from: { type: "string", enum: ["shape"] },
          properties: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
          kind: kindSchema,
        },
        required: ["from", "properties"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: { from: { type: "string", enum: ["file"] }, name: { type: "string", minLength: 1 }, path: { type: "string" }, kind: kindSchema },
        required: ["from", "name"],
        additionalProperties: false,
      },
    ],
  },
};

/** A match: which family the type belongs to, and a short human name for messages ("Context", "AbortSignal"). */
export interface ContextMatch {
  kind: ContextKind;
  typeName: string;
}

/**
 * Speed path, before a parameter's or property's type is computed: a declared type that no instantiation can turn
 * into a context or an options object — a function type (callable, no properties), a primitive or literal type, or a
 * union of those. Generic signatures are instantiated per call site's types, so a miss in the signature cache
 * is common (`arr.map(cb)`, `promise.then(f)`); their callback and primitive parameters are most of what they take.
 */
export function cannotHoldContext(node: ts.TypeNode): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionType:
    case ts.SyntaxKind.ConstructorType:
    case ts.SyntaxKind.LiteralType:
    case ts.SyntaxKind.TemplateLiteralType:
    case ts.SyntaxKind.StringKeyword:
    case ts.SyntaxKind.NumberKeyword:
    case ts.SyntaxKind.BooleanKeyword:
    case ts.SyntaxKind.BigIntKeyword:
    case ts.SyntaxKind.SymbolKeyword:
    case ts.SyntaxKind.VoidKeyword:
    case ts.SyntaxKind.UndefinedKeyword:
    case ts.SyntaxKind.NeverKeyword:
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return true;
    case ts.SyntaxKind.ParenthesizedType:
      return cannotHoldContext((node as ts.ParenthesizedTypeNode).type);
    case ts.SyntaxKind.UnionType:
      return (node as ts.UnionTypeNode).types.every(cannotHoldContext);
    default:
      return false;
  }
}

/** Types that are never contexts, whatever the option set: primitives, literals, `void`/`null`/`undefined`, `any`-likes. */
const NEVER_CONTEXT =
  ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike |
  ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike | ts.TypeFlags.ESSymbolLike | ts.TypeFlags.VoidLike | ts.TypeFlags.Null | ts.TypeFlags.NonPrimitive;

/**
 * Answers "is this type a context?" for one program and one option set. Create one per file (in `create`)
 * through {@link getContextTypeMatcher}, which caches per program: the per-type cache is the speed path of
 * every rule, since the same few types are asked about again and again.
 */
export class ContextTypeMatcher {
  private readonly cache = new Map<ts.Type, ContextMatch | null>();
  private readonly propertyCache = new Map<ts.Symbol, ContextMatch | null>();
  private readonly packageOfDir = new Map<string, string | null>();
  private readonly hasPackage = new Map<string, boolean>();

  constructor(
    private readonly program: ts.Program,
    private readonly specs: readonly ContextTypeSpec[],
  ) {}

  get checker(): ts.TypeChecker {
    return this.program.getTypeChecker();
  }

  /**
   * The context match of `type`, looking through `T | undefined | null`, intersections, and the base types of
   * classes and interfaces (a user class that `implements Context`, an interface that extends `AbortSignal`).
   */
  match(type: ts.Type): ContextMatch | undefined {
    // Speed path: primitives, literals and `any`-likes are most of what is asked (option properties, parameters).
    if (type.flags & NEVER_CONTEXT) return undefined;
    const cached = this.cache.get(type);
    if (cached !== undefined) return cached ?? undefined;
    this.cache.set(type, null); // guards recursive base types
    const result = this.compute(type);
    this.cache.set(type, result ?? null);
    return result;
  }

  isContext(type: ts.Type): boolean {
    return this.match(type) !== undefined;
  }

  /**
   * The context match of a property's type, cached per property symbol (shared by the scope's `req.signal` and
   * callees' options bags). Speed path: a property declared with a
   * type no instantiation can make a context (`name: string`, `onDone: () => void`) gets no type at all; with a
   * fresh checker (the server's after every edit) each property type asked is resolved, members and bases included.
   * Only a symbol of the declaration itself is read this way: an instantiated or mapped property's type is not its
   * declaration's.
   */
  matchProperty(symbol: ts.Symbol): ContextMatch | undefined {
    const cached = this.propertyCache.get(symbol);
    if (cached !== undefined) return cached ?? undefined;
    const decl = symbol.valueDeclaration as { type?: ts.TypeNode } | undefined;
    const skip = !(symbol.flags & ts.SymbolFlags.Transient) && decl?.type !== undefined && cannotHoldContext(decl.type);
    const m = skip ? undefined : this.match(this.checker.getTypeOfSymbol(symbol));
    this.propertyCache.set(symbol, m ?? null);
    return m;
  }

  private compute(type: ts.Type): ContextMatch | undefined {
    if (type.isUnion() || type.isIntersection()) {
      for (const part of type.types) {
        const m = this.match(part);
        if (m) return m;
      }
      return undefined;
    }
    if (type.flags & ts.TypeFlags.TypeParameter) {
      const constraint = this.checker.getBaseConstraintOfType(type);
      return constraint && constraint !== type ? this.match(constraint) : undefined;
    }
    if (!(type.flags & ts.TypeFlags.Object)) return undefined;
    for (const spec of this.specs) {
      if (this.matchesSpec(type, spec)) return { kind: spec.kind ?? defaultKind(spec), typeName: specName(spec, type) };
    }
    const target = (type as ts.TypeReference).target ?? type;
    if (target.isClassOrInterface()) {
      for (const base of this.checker.getBaseTypes(target)) {
        const m = this.match(base);
        if (m) return m;
      }
    }
    return undefined;
  }

  private matchesSpec(type: ts.Type, spec: ContextTypeSpec): boolean {
    if (spec.from === "shape") {
      // Speed path: a class or interface is asked about the members it declares itself (its bases are matched on
      // their own, see `compute`), without resolving every member it inherits, which a fresh checker would do for
      // each class-typed property of an options bag. Other object types (literals, mapped types) are resolved.
      const target = (type as ts.TypeReference).target ?? type;
      const members = target.isClassOrInterface() ? target.getSymbol()?.members : undefined;
      if (members) return spec.properties.every((p) => members.has(ts.escapeLeadingUnderscores(p)));
      return spec.properties.every((p) => type.getProperty(p) !== undefined);
    }
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol || symbol.getName() !== spec.name) return false;
    const declarations = symbol.getDeclarations() ?? [];
    switch (spec.from) {
      case "global":
        return declarations.some((d) => isGlobalDeclaration(d));
      case "package":
        // Speed path: a package with no file in the program declares nothing (one scan per matcher).
        if (!this.programHasPackage(spec.package)) return false;
        return declarations.some((d) => this.packageNameOf(d.getSourceFile()) === spec.package);
      case "file":
        return declarations.some((d) => {
          const file = d.getSourceFile();
          if (this.program.isSourceFileFromExternalLibrary(file) || this.program.isSourceFileDefaultLibrary(file)) return false;
          return spec.path === undefined || file.fileName.replace(/\\/g, "/").endsWith(spec.path.replace(/\\/g, "/"));
        });
    }
  }

  /**
   * Speed path: whether any source file of the program belongs to the npm package `name` (computed once per
   * matcher, i.e. per program and option set). A program without ctxkit's files cannot declare a ctxkit export
   * or type, so the rules about cancel scopes skip a file of such a program before any type query.
   */
  programHasPackage(name: string): boolean {
    let has = this.hasPackage.get(name);
    if (has === undefined) {
      has = this.program.getSourceFiles().some((f) => this.packageNameOf(f) === name);
      this.hasPackage.set(name, has);
    }
    return has;
  }

  /**
   * Speed path: whether a type of one of `kinds` can match in this program at all. A match's kind is always its
   * spec's, so it can when some spec of such a kind is not a package spec, or names a package with a file in the
   * program. The rules about ctxkit `Context`s (kinds `ctxkit`, `custom`) return no listeners when it cannot:
   * in a program without ctxkit, under the default option set, only signals and tokens are contexts.
   */
  mayMatchKind(kinds: readonly ContextKind[]): boolean {
    return this.specs.some((spec) => kinds.includes(spec.kind ?? defaultKind(spec)) && (spec.from !== "package" || this.programHasPackage(spec.package)));
  }

  /** The `name` of the nearest package.json above `file` (cached per directory). */
  packageNameOf(file: ts.SourceFile): string | undefined {
    const fromTs = (this.program as unknown as { sourceFileToPackageName?: Map<string, string> }).sourceFileToPackageName?.get(
      (file as unknown as { path: string }).path,
    );
    if (fromTs) return fromTs.split("/").slice(0, fromTs.startsWith("@") ? 2 : 1).join("/");
    return this.packageNameOfDir(dirname(file.fileName)) ?? undefined;
  }

  private packageNameOfDir(dir: string): string | null {
    const cached = this.packageOfDir.get(dir);
    if (cached !== undefined) return cached;
    let name: string | null = null;
    const text = ts.sys.fileExists(`${dir}/package.json`) ? ts.sys.readFile(`${dir}/package.json`) : undefined;
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as { name?: unknown };
        name = typeof parsed.name === "string" ? parsed.name : null;
      } catch {
        name = null;
      }
    } else {
      const parent = dirname(dir);
      name = parent !== dir ? this.packageNameOfDir(parent) : null;
    }
    this.packageOfDir.set(dir, name);
    return name;
  }
}

function dirname(path: string): string {
  const normalized = path.replace(/\\/g, "/");
  const i = normalized.lastIndexOf("/");
  return i <= 0 ? normalized.slice(0, i + 1) || "/" : normalized.slice(0, i);
}

function defaultKind(spec: ContextTypeSpec): ContextKind {
  if (spec.from === "package" && spec.package === "ctxkit") return "ctxkit";
  if (spec.from === "global" && spec.name === "AbortSignal") return "signal";
  if (spec.from === "shape") return "token";
  return "custom";
}

function specName(spec: ContextTypeSpec, type: ts.Type): string {
  if (spec.from !== "shape") return spec.name;
  return (type.aliasSymbol ?? type.getSymbol())?.getName() ?? "CancellationToken";
}

/** A declaration is global when it sits in a script file (lib.*.d.ts) or inside `declare global { }`. */
function isGlobalDeclaration(decl: ts.Declaration): boolean {
  const file = decl.getSourceFile();
  if (!ts.isExternalModule(file) && !(file.flags & ts.NodeFlags.JavaScriptFile)) return true;
  for (let n: ts.Node | undefined = decl.parent; n; n = n.parent) {
    if (ts.isModuleDeclaration(n) && n.flags & ts.NodeFlags.GlobalAugmentation) return true;
  }
  return false;
}

const matchers = new WeakMap<ts.Program, Map<string, ContextTypeMatcher>>();

/**
 * The matcher for `program` and `specs`, shared by every rule and file linted against the same program and
 * option set (the type cache survives across files; programs are replaced on every edit in the server, so the
 * WeakMap lets old caches go).
 */
export function getContextTypeMatcher(program: ts.Program, specs: readonly ContextTypeSpec[] = DEFAULT_CONTEXT_TYPES): ContextTypeMatcher {
  let bySpecs = matchers.get(program);
  if (!bySpecs) matchers.set(program, (bySpecs = new Map()));
  const key = specs === DEFAULT_CONTEXT_TYPES ? "" : JSON.stringify(specs);
  let matcher = bySpecs.get(key);
  if (!matcher) bySpecs.set(key, (matcher = new ContextTypeMatcher(program, specs)));
  return matcher;
}
