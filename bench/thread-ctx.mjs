// Thread ctx over a function with 100 call sites across files, beside TypeScript's own findReferences and
// getRenameLocations for the same symbol in the same run (each on a fresh, equally warmed language service).
// Writes medians and ratios to bench/RESULTS.md between the bench:thread-ctx markers.
// Usage: npm run bench:thread-ctx   [--runs=N] [--callers=N] [--fillers=N]
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { computeThreadCtx, findThreadCtxTarget } from "../server/src/threadCtx/index.ts";

const arg = (name, def) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def);
const RUNS = arg("runs", 9);
const CALLERS = arg("callers", 100);
const FILLERS = arg("fillers", 300);
const root = join(os.tmpdir(), `ctxkit-bench-thread-ctx-${process.pid}`);
const runtimeSrc = new URL("../runtime/src/index.ts", import.meta.url).pathname;

/** The generated project: one target, CALLERS files with one call site each (half of them have a ctx), fillers. */
function generate() {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, "src/callers"), { recursive: true });
  mkdirSync(join(root, "src/other"), { recursive: true });
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM", "ESNext.Disposable"],
      strict: true, noEmit: true, skipLibCheck: true, types: [], paths: { ctxkit: [runtimeSrc] },
    },
    include: ["src"],
  }));
  writeFileSync(join(root, "src/target.ts"), [
    `import { sleep, todo } from "ctxkit";`,
    ``,
    `export async function fetchItem(id: string, attempt: number): Promise<string> {`,
    `  await sleep(todo(), attempt);`,
    `  return id;`,
    `}`,
    ``,
  ].join("\n"));
  for (let i = 0; i < CALLERS; i++) {
    const withCtx = i % 2 === 0;
    // A caller without a context is itself called by a route that has one: "up the call chain" threads it.
    writeFileSync(join(root, `src/callers/c${i}.ts`), [
      `import type { Context } from "ctxkit";`,
      withCtx ? `` : `import { helper${i % FILLERS} } from "../other/f${i % FILLERS}";`,
      `import { fetchItem } from "../target";`,
      ``,
      withCtx
        ? `export async function caller${i}(ctx: Context, id: string): Promise<string> {\n  return fetchItem(id, ${i});\n}`
        : `async function caller${i}(id: string): Promise<string> {\n  return fetchItem(id + helper${i % FILLERS}(${i}), ${i});\n}\n\nexport async function route${i}(ctx: Context): Promise<string> {\n  return caller${i}("x");\n}`,
      ``,
    ].join("\n"));
  }
  for (let i = 0; i < FILLERS; i++) {
    const lines = [`export function helper${i}(n: number): string {`, `  let s = "";`];
    for (let j = 0; j < 40; j++) lines.push(`  if (n > ${j}) s += String(n * ${j});`);
    lines.push(`  return s;`, `}`, ``, `export class Thing${i} {`, `  constructor(readonly n: number) {}`, `  twice(): number { return this.n * 2; }`, `}`, ``);
    writeFileSync(join(root, `src/other/f${i}.ts`), lines.join("\n"));
  }
}

const registry = ts.createDocumentRegistry();
function service() {
  const configPath = join(root, "tsconfig.json");
  const parsed = ts.parseJsonConfigFileContent(JSON.parse(readFileSync(configPath, "utf8")), ts.sys, root, undefined, configPath);
  const host = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => parsed.fileNames,
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined),
    getCurrentDirectory: () => root,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists, readFile: ts.sys.readFile, readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
  };
  const ls = ts.createLanguageService(host, registry);
  // Warm as the server is after publishing diagnostics: program built, target file type-checked.
  ls.getSemanticDiagnostics(join(root, "src/target.ts"));
  return ls;
}

function time(fn) {
  const t = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

generate();
const target = join(root, "src/target.ts");
const targetText = readFileSync(target, "utf8");
const namePos = targetText.indexOf("fetchItem");
const todoPos = targetText.indexOf("todo()");
const samples = { refs: [], refsFlat: [], rename: [], find: [], single: [], upChain: [] };
let callSites = 0, files = 0, threadedUp = 0, renameLocations = 0;
const loadAtStart = os.loadavg()[0];
service(); // first program: parse everything once into the shared registry (not timed)
for (let r = 0; r < RUNS; r++) {
  {
    const ls = service();
    const { ms, result } = time(() => ls.findReferences(target, namePos));
    samples.refs.push(ms);
    callSites = result.reduce((n, g) => n + g.references.length, 0);
  }
  {
    const ls = service();
    samples.refsFlat.push(time(() => ls.getReferencesAtPosition(target, namePos)).ms);
  }
  {
    const ls = service();
    const { ms, result } = time(() => ls.findRenameLocations(target, namePos, false, false, { providePrefixAndSuffixTextForRename: false }));
    samples.rename.push(ms);
    renameLocations = result?.length ?? 0;
  }
  {
    const ls = service();
    samples.find.push(time(() => findThreadCtxTarget(ls.getProgram(), target, todoPos)).ms);
    const { ms, result } = time(() => computeThreadCtx(ls, target, todoPos, { variant: "single" }));
    if (!result.ok) throw new Error(`Thread ctx refused: ${result.reason}`);
    samples.single.push(ms);
    files = result.edit.changes.length;
  }
  {
    const ls = service();
    const { ms, result } = time(() => computeThreadCtx(ls, target, todoPos, { variant: "upChain" }));
    if (!result.ok) throw new Error(`Thread ctx up the chain refused: ${result.reason}`);
    samples.upChain.push(ms);
    threadedUp = result.edit.threaded.length;
  }
}
rmSync(root, { recursive: true, force: true });

const refs = median(samples.refs);
const rename = median(samples.rename);
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const rows = [
  ["Thread ctx (single), computeThreadCtx", median(samples.single), `${files} files changed`],
  ["Thread ctx up the call chain", median(samples.upChain), `${threadedUp} functions threaded`],
  ["findThreadCtxTarget (code action offer)", median(samples.find), ""],
  ["anchor: LanguageService.findReferences", refs, `${callSites} references`],
  ["LanguageService.getReferencesAtPosition (the search the engine runs)", median(samples.refsFlat), ""],
  ["anchor: LanguageService.findRenameLocations", median(samples.rename), `${renameLocations} locations`],
];
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const section = [
  `Machine: ${cpu}, ${os.cpus().length} cores; Node ${process.version}; TypeScript ${ts.version}; load average ${loadAtStart.toFixed(1)} at start (the machine is shared); ${new Date().toISOString().slice(0, 10)}.`,
  ``,
  `Generated project: ${CALLERS} caller files (one call site each; half have a \`Context\` in scope, the other half are called by a route that has one), ${FILLERS} filler files, ctxkit from source.`,
  `Each measurement on a fresh language service warmed like the server's (program built, target file type-checked); median of ${RUNS} runs.`,
  `Target: Thread ctx over 100 call sites ≤ 1 s. Ratios = time ÷ the anchor's time for the same symbol in the same run.`,
  ``,
  `| operation | median ms | ÷ findReferences | ÷ findRenameLocations | notes |`,
  `|---|---:|---:|---:|---|`,
  ...rows.map(([name, ms, note]) => `| ${name} | ${fmt(ms)} | ${(ms / refs).toFixed(2)}× | ${(ms / rename).toFixed(2)}× | ${note} |`),
  ``,
  `Verdict: ${median(samples.single) <= 1000 ? "within" : "OVER"} the 1 s target (single: ${fmt(median(samples.single))} ms; up the chain: ${fmt(median(samples.upChain))} ms).`,
].join("\n");
console.log(section);

const file = new URL("./RESULTS.md", import.meta.url);
const begin = "<!-- bench:thread-ctx:start -->", end = "<!-- bench:thread-ctx:end -->";
const block = `${begin}\n## Thread ctx (\`npm run bench:thread-ctx\`)\n\n${section}\n${end}`;
const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n";
const i = current.indexOf(begin), j = current.indexOf(end);
writeFileSync(file, i >= 0 && j > i ? current.slice(0, i) + block + current.slice(j + end.length) : `${current.trimEnd()}\n\n${block}\n`);
