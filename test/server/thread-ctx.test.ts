/**
 * Golden tests of the Thread ctx engine over real TypeScript language services.
 *
 * Each folder in test/fixtures/thread-ctx/<case>/ holds:
 * - input/**: a small multi-file project with its tsconfig.json (ctxkit resolves to runtime/src via `paths`);
 * - case.json: where the action is invoked (`file`, `at` = a text whose first character is the position,
 *   optional `occurrence`, `offset`), the `variant`, and either nothing (an edit is expected) or `refusal`
 *   (a text the refusal reason must contain);
 * - expected/**: the content of EVERY file after the action (for edits).
 * - optionally `projects` in case.json: the tsconfigs (paths in input/) of a workspace of several projects, the
 *   target file's own first; the engine then runs across all of them (computeThreadCtxAcross), and each
 *   project's result is type-checked. Without it, input/tsconfig.json is the one project.
 * The test applies the edit, compares every file, and type-checks the result with the fixture's tsconfig.
 * Set CTXKIT_UPDATE_GOLDEN=1 to (re)write expected/ from the engine's output — then review the diff.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { applyTextChanges, computeThreadCtx, computeThreadCtxAcross, findThreadCtxTarget, type ThreadCtxVariant } from "../../server/src/threadCtx";

const FIXTURES = join(__dirname, "../fixtures/thread-ctx");
const UPDATE = process.env["CTXKIT_UPDATE_GOLDEN"] === "1";
/** One registry for every project of the suite: lib and ctxkit source files are parsed and bound once. */
const registry = ts.createDocumentRegistry();

interface CaseSpec {
  description: string;
  file: string;
  at: string;
  occurrence?: number;
  offset?: number;
  variant?: ThreadCtxVariant;
  maxDepth?: number;
  refusal?: string;
  /** Names expected in `edit.threaded`, in order (optional). */
  threaded?: string[];
  /** tsconfig paths in input/ of a multi-project workspace, the target's project first. */
  projects?: string[];
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).replace(/\\/g, "/"));
    }
  };
  walk(dir);
  return out.sort();
}

let projects = 0;

/** A language service over in-memory texts for the files of `root`, the rest (ctxkit, lib files) from disk. */
class Project {
  readonly texts = new Map<string, string>();
  private readonly id = ++projects;
  readonly options: ts.CompilerOptions;
  readonly rootNames: string[];
  readonly service: ts.LanguageService;

  /** `root`: the fixture's input folder; `config`: the project's tsconfig in it. */
  constructor(readonly root: string, files: Map<string, string>, config = "tsconfig.json") {
    for (const [rel, text] of files) this.texts.set(join(root, rel), text);
    const configPath = join(root, config);
    const projectDir = dirname(configPath);
    const parsed = ts.parseJsonConfigFileContent(JSON.parse(this.texts.get(configPath) ?? readFileSync(configPath, "utf8")), ts.sys, projectDir, undefined, configPath);
    assert.deepEqual(parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, "\n")), [], "fixture tsconfig");
    this.options = parsed.options;
    this.rootNames = parsed.fileNames;
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => this.rootNames,
      // Texts of this project get a version of their own: the shared registry must not hand out another
      // project's parse of the same path.
      getScriptVersion: (f) => (this.texts.has(f) ? `p${this.id}` : "disk"),
      getScriptSnapshot: (f) => {
        const text = this.texts.get(f) ?? (ts.sys.fileExists(f) ? ts.sys.readFile(f) : undefined);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => projectDir,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.texts.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.texts.get(f) ?? ts.sys.readFile(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, registry);
  }

  /**
   * Every error of the fixture's own files (syntactic, semantic) and of its options, as `file:line: message`:
   * `tsc --noEmit` restricted to the fixture (ctxkit's own sources are checked by the repo's type check).
   */
  errors(): string[] {
    const program = this.service.getProgram()!;
    const own = program.getSourceFiles().filter((f) => !relative(this.root, f.fileName).startsWith(".."));
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...own.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
    ];
    return diagnostics.map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || d.start === undefined) return msg;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${relative(this.root, d.file.fileName)}:${line + 1}: ${msg}`;
    });
  }
}

function positionOf(text: string, spec: CaseSpec): number {
  let at = -1;
  for (let i = 0; i < (spec.occurrence ?? 1); i++) {
    at = text.indexOf(spec.at, at + 1);
    assert.ok(at >= 0, `case.json: "${spec.at}" (occurrence ${i + 1}) not found in ${spec.file}`);
  }
  return at + (spec.offset ?? 0);
}

const cases = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, "case.json"))).sort();

describe("Thread ctx engine (golden fixtures)", () => {
  it("has fixtures", () => {
    assert.ok(cases.length >= 15, `only ${cases.length} fixtures`);
  });

  it("its type check sees a call site that was not updated", () => {
    const dir = join(FIXTURES, "basic-declaration", "input");
    const files = new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    files.set("src/users.ts", files.get("src/users.ts")!.replace("loadUser(id: string)", "loadUser(ctx: Context, id: string)").replace('import { todo } from "ctxkit";', 'import { todo, type Context } from "ctxkit";'));
    const errors = new Project(dir, files).errors();
    assert.ok(errors.some((e) => e.startsWith("src/cli.ts:4: Expected 2 arguments")), errors.join("\n"));
  });

  for (const name of cases) {
    const dir = join(FIXTURES, name);
    const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as CaseSpec;
    it(`${name}: ${spec.description}`, () => {
      const inputDir = join(dir, "input");
      const inputFiles = new Map(listFiles(inputDir).map((f) => [f, readFileSync(join(inputDir, f), "utf8")]));
      const configs = spec.projects ?? ["tsconfig.json"];
      const befores = configs.map((c) => new Project(inputDir, inputFiles, c));
      const before = befores[0]!;
      for (const p of befores) assert.deepEqual(p.errors(), [], "the fixture's input must type-check");
      const fileName = join(inputDir, spec.file);
      const text = inputFiles.get(spec.file);
      assert.ok(text !== undefined, `case.json: no input file ${spec.file}`);
      const position = positionOf(text, spec);
      const options = { variant: spec.variant ?? "single", ...(spec.maxDepth !== undefined ? { maxDepth: spec.maxDepth } : {}) } as const;
      const result = spec.projects
        ? computeThreadCtxAcross(
            { name: configs[0]!, service: before.service },
            befores.slice(1).map((p, i) => ({ name: configs[i + 1]!, service: p.service })),
            fileName,
            position,
            options,
          )
        : computeThreadCtx(before.service, fileName, position, options);
      const cheap = findThreadCtxTarget(before.service.getProgram()!, fileName, position, options);

      if (spec.refusal !== undefined) {
        assert.equal(result.ok, false, `expected a refusal containing "${spec.refusal}"`);
        assert.ok(!result.ok && result.reason.includes(spec.refusal), `reason: ${result.ok ? "" : result.reason}`);
        assert.ok(!existsSync(join(dir, "expected")), "a refusal case has no expected/ folder");
        return;
      }
      assert.ok(result.ok, `refused: ${result.ok ? "" : result.reason}`);
      assert.ok(cheap.ok, "findThreadCtxTarget must agree with computeThreadCtx");
      assert.deepEqual(cheap.target, result.edit.target);
      if (spec.threaded) assert.deepEqual(result.edit.threaded, spec.threaded);

      const after = new Map(inputFiles);
      for (const change of result.edit.changes) {
        const rel = relative(inputDir, change.fileName).replace(/\\/g, "/");
        assert.ok(!rel.startsWith(".."), `edit outside the fixture: ${change.fileName}`);
        assert.ok(change.textChanges.length > 0, `empty change list for ${rel}`);
        after.set(rel, applyTextChanges(after.get(rel) ?? "", change.textChanges));
      }
      const expectedDir = join(dir, "expected");
      if (UPDATE) {
        rmSync(expectedDir, { recursive: true, force: true });
        for (const [rel, content] of after) {
          mkdirSync(dirname(join(expectedDir, rel)), { recursive: true });
          writeFileSync(join(expectedDir, rel), content);
        }
      }
      const expectedFiles = listFiles(expectedDir);
      assert.deepEqual(expectedFiles, [...after.keys()].sort(), "expected/ must hold every file of the project");
      for (const rel of expectedFiles) {
        assert.equal(after.get(rel), readFileSync(join(expectedDir, rel), "utf8"), `content of ${rel}`);
      }
      for (const c of configs) assert.deepEqual(new Project(inputDir, after, c).errors(), [], `the result must type-check (tsc --noEmit -p ${c})`);
    });
  }
});
