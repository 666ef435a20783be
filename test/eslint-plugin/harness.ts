/**
 * Shared by the plugin-level suites (docs, plugin, real-code, eslint10) and bench/lint.mjs: build one
 * TypeScript program for many files, and lint them with real ESLint `Linter` through
 * `parserOptions.programs` — the same way the language server hands the rules its own program.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Linter } from "eslint";
import tseslint from "typescript-eslint";
import ts from "typescript";
import plugin from "eslint-plugin-ctxkit";

export const repoRoot = path.resolve(__dirname, "../..");

/** Every rule name of the built plugin, sorted. */
export function ruleNames(): string[] {
  return Object.keys(plugin.rules).sort();
}

/** Compiler options close to what the packages under test are built with (ESM, `.ts` imports allowed). */
export const realCodeOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts", "lib.esnext.disposable.d.ts"],
  types: ["node"],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  esModuleInterop: true,
  isolatedModules: true,
  experimentalDecorators: true,
};

/**
 * One program over `rootNames`. `virtual` maps absolute file names to their text for files that exist only in
 * memory (the docs' code blocks); module resolution still walks the real node_modules above them.
 */
export function createProgram(rootNames: readonly string[], options: ts.CompilerOptions, virtual?: ReadonlyMap<string, string>): ts.Program {
  const host = ts.createCompilerHost(options, true);
  if (virtual && virtual.size > 0) {
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const text = virtual.get(path.resolve(fileName));
      return text !== undefined ? ts.createSourceFile(fileName, text, languageVersion, true) : getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
    };
    host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists.call(host, fileName);
    host.readFile = (fileName) => virtual.get(path.resolve(fileName)) ?? readFile.call(host, fileName);
  }
  return ts.createProgram({ rootNames, options, host });
}

/**
 * A flat config for `files` of `program`: the typescript-eslint parser with `parserOptions.programs`, and
 * `rules`. node_modules is un-ignored, since the real-code suites lint packages installed there.
 */
export function typedConfig(program: ts.Program, rules: Linter.RulesRecord, extra: Linter.Config[] = []): Linter.Config[] {
  return [
    { ignores: ["!**/node_modules/"] },
    {
      files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"],
      languageOptions: {
        parser: tseslint.parser as Linter.Parser,
        parserOptions: { programs: [program], project: false, projectService: false },
      },
      // Inline `eslint-disable` comments of the linted code name rules that are not loaded here; ignore them all.
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: "off" },
    },
    ...extra,
    { files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"], plugins: { ctxkit: plugin as unknown as NonNullable<Linter.Config["plugins"]>[string] }, rules },
  ];
}

/** `ctxkit/<rule>: "error"` for each name. */
export function ctxkitRules(names: readonly string[]): Linter.RulesRecord {
  return Object.fromEntries(names.map((n) => [`ctxkit/${n}`, "error" as const]));
}

export interface FileResult {
  file: string;
  messages: Linter.LintMessage[];
  /** Set when linting threw (a rule crash); the message names the rule when ESLint knows it. */
  crash?: string;
}

/** Lint each file (its text from the program, or from disk) with `config`; a throw is caught per file. */
export function lintFiles(files: readonly string[], config: Linter.Config[], linter = new Linter({ cwd: repoRoot }), textOf?: (file: string) => string): FileResult[] {
  const out: FileResult[] = [];
  for (const file of files) {
    const text = textOf ? textOf(file) : fs.readFileSync(file, "utf8");
    try {
      // With noInlineConfig, ESLint warns about each directive it ignores; those are not findings.
      const messages = linter.verify(text, config, { filename: file }).filter((m) => !(m.ruleId === null && !m.fatal && /has no effect because you have 'noInlineConfig'/.test(m.message)));
      out.push({ file, messages });
    } catch (e) {
      out.push({ file, messages: [], crash: e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e) });
    }
  }
  return out;
}

/** The fenced ```ts blocks of a markdown doc, each with the heading it sits under and its line in the doc. */
export interface DocBlock {
  heading: string;
  line: number;
  code: string;
}

export function markdownTsBlocks(markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split("\n");
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const h = /^#{1,6}\s+(.*)$/.exec(l);
    if (h) {
      heading = h[1]!.trim();
      continue;
    }
    const fence = /^(\s*)(```+|~~~+)\s*(\w+)?/.exec(l);
    if (!fence) continue;
    const [, indent, marker, lang] = fence;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(marker!); j++) body.push(lines[j]!.slice(indent!.length));
    if (lang === "ts" || lang === "typescript" || lang === "tsx") blocks.push({ heading, line: i + 1, code: body.join("\n") + "\n" });
    i = j;
  }
  return blocks;
}

/** The real-code corpus: packages installed as devDependencies that ship their TypeScript sources. */
export const REAL_CODE_PACKAGES = [
  "openai",
  "@anthropic-ai/sdk",
  "ai",
  "@ai-sdk/provider-utils",
  "@libp2p/kad-dht",
  "@libp2p/peer-store",
  "@temporalio/client",
] as const;

/** The `.ts` sources of one package's `src/` (no declarations, no tests), sorted. */
export function packageSources(pkg: string): string[] {
  const dir = path.join(repoRoot, "node_modules", pkg, "src");
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!["node_modules", "__tests__", "__fixtures__", "__mocks__", "test", "tests"].includes(e.name)) walk(p);
      } else if (/\.(ts|mts|cts|tsx)$/.test(e.name) && !/\.d\.[mc]?ts$/.test(e.name) && !/\.(test|spec)\.tsx?$/.test(e.name)) {
        out.push(p);
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/**
 * A deterministic sample: every file when `every` is 1, else every `every`-th file of the sorted list. Set
 * `CTXKIT_REAL_CODE_EVERY` to lint a sample in a hurry; the default lints everything.
 */
export function realCodeFiles(every = Number(process.env.CTXKIT_REAL_CODE_EVERY ?? 1)): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pkg of REAL_CODE_PACKAGES) {
    const all = packageSources(pkg);
    out.set(pkg, every > 1 ? all.filter((_, i) => i % every === 0) : all);
  }
  return out;
}
