// Language server benchmark: a generated project (500 files, one of 3,000 lines, contexts threaded across files),
// driven over real stdio JSON-RPC with dist/server.js. Measures, in one run:
//   - p50/p95 from a one-line edit (didChange) to fresh diagnostics (textDocument/diagnostic answered), beside
//     TypeScript's own getSemanticDiagnostics for the same file after the same edit (its own LanguageService);
//   - cold start: process spawn to the first diagnostics of the big file;
//   - the server's resident memory.
// Writes its section of bench/RESULTS.md. Usage: npm run bench:server  (BENCH_QUICK=1: fewer samples;
// BENCH_SERVER_NODE_ARGS: node flags for the server process, such as --cpu-prof; BENCH_LOGS=1: print the server's log)
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ts = require("typescript");
const tsParser = require("@typescript-eslint/parser");
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const serverJs = path.join(root, "dist", "server.js");
if (!fs.existsSync(serverJs)) throw new Error("dist/server.js is missing: npm run build");
const quick = process.env.BENCH_QUICK === "1";
const SAMPLES = quick ? 10 : 40;
const FILES = 500;
const BIG_LINES = 3000;

// ---------------------------------------------------------------------------------------------- the project
function generate(dir) {
  fs.mkdirSync(path.join(dir, "src"), { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(path.join(root, "runtime"), path.join(dir, "node_modules", "ctxkit"), "dir");
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, lib: ["ES2022", "DOM", "ESNext.Disposable"], types: [], skipLibCheck: true, noEmit: true },
    include: ["src"],
  }, null, 2));
  // mod0..mod498: each calls into the previous module with the context it was given; every 10th drops it.
  for (let i = 0; i < FILES - 1; i++) {
    const prev = i > 0 ? `import { step${i - 1} } from "./mod${i - 1}.js";\n` : "";
    const call = i > 0 ? (i % 10 === 0 ? `await step${i - 1}(todo(), n - 1)` : `await step${i - 1}(s.ctx, n - 1)`) : "n";
    fs.writeFileSync(path.join(dir, "src", `mod${i}.ts`),
      `import { sleep, todo, withTimeout, type Context } from "ctxkit";\n${prev}` +
      `export async function step${i}(ctx: Context, n: number): Promise<number> {\n` +
      `  using s = withTimeout(ctx, ${100 + i});\n  await sleep(s.ctx, 1);\n  void todo;\n  return n <= 0 ? 0 : (${call}) + 1;\n}\n` +
      `export function label${i}(ctx: Context): string {\n  return String(ctx) + "${i}";\n}\n`);
  }
  // big.ts: 3,000 lines of handlers calling across the project.
  const lines = [`import { sleep, todo, withCancel, withTimeout, type Context } from "ctxkit";`];
  const imports = [];
  for (let k = 0; k < 40; k++) imports.push(`import { step${k * 12}, label${k * 12} } from "./mod${k * 12}.js";`);
  lines.push(...imports);
  let fn = 0;
  while (lines.length < BIG_LINES - 12) {
    const m = (fn % 40) * 12;
    const drop = fn % 7 === 0;
    lines.push(
      `export async function handler${fn}(ctx: Context, input: number): Promise<string> {`,
      `  using scope = withTimeout(ctx, ${50 + fn});`,
      `  const { ctx: inner } = scope;`,
      `  const total = input * ${fn + 1};`,
      `  await sleep(inner, 1);`,
      drop ? `  const value = await step${m}(todo(), total);` : `  const value = await step${m}(inner, total);`,
      `  const [child, cancel] = withCancel(inner);`,
      `  try {`,
      `    return label${m}(child) + String(value + total);`,
      `  } finally {`,
      `    cancel();`,
      `  }`,
      `}`,
    );
    fn++;
  }
  while (lines.length < BIG_LINES) lines.push(`// filler ${lines.length}`);
  fs.writeFileSync(path.join(dir, "src", "big.ts"), lines.join("\n") + "\n");
  return { big: path.join(dir, "src", "big.ts"), functions: fn };
}

// ---------------------------------------------------------------------------------------------- a stdio client
class Client {
  constructor() {
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, serverJs, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
    this.buf = Buffer.alloc(0);
    this.id = 0;
    this.pending = new Map();
    this.logs = [];
    this.child.stdout.on("data", (c) => this.data(c));
  }
  data(c) {
    this.buf = Buffer.concat([this.buf, c]);
    for (;;) {
      const h = this.buf.indexOf("\r\n\r\n");
      if (h < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, h).toString())[1]);
      if (this.buf.length < h + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(h + 4, h + 4 + len).toString());
      this.buf = this.buf.subarray(h + 4 + len);
      if (msg.method === "window/logMessage") this.logs.push(msg.params.message);
      if (msg.id !== undefined && msg.method) this.send({ jsonrpc: "2.0", id: msg.id, result: msg.method === "workspace/configuration" ? [{ trace: { server: "verbose" } }] : null });
      else if (msg.id !== undefined && this.pending.has(msg.id)) {
        this.pending.get(msg.id)(msg);
        this.pending.delete(msg.id);
      }
    }
  }
  send(m) {
    const body = JSON.stringify(m);
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  request(method, params) {
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }
  notify(method, params) {
    this.send({ jsonrpc: "2.0", method, params });
  }
  rssMB() {
    const status = fs.readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  }
}

// ---------------------------------------------------------------------------------------------- TypeScript's own service
// The anchor gets TypeScript at its best, as tsserver runs it: snapshots that tell the edit, so the file is
// re-parsed incrementally (the ctxkit server's snapshots do the same).
class Snapshot {
  constructor(text) {
    this.text = text;
  }
  getText(start, end) {
    return this.text.substring(start, end);
  }
  getLength() {
    return this.text.length;
  }
  getChangeRange(old) {
    if (!(old instanceof Snapshot)) return undefined;
    const a = old.text, b = this.text, min = Math.min(a.length, b.length);
    let start = 0;
    while (start < min && a.charCodeAt(start) === b.charCodeAt(start)) start++;
    let suffix = 0;
    while (suffix < min - start && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
    return ts.createTextChangeRange(ts.createTextSpan(start, a.length - suffix - start), b.length - suffix - start);
  }
}

function tsService(dir, texts) {
  const snapshots = new Map();
  const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  let version = 0;
  const versions = new Map();
  const host = {
    getCompilationSettings: () => config.options,
    getScriptFileNames: () => config.fileNames,
    getProjectVersion: () => String(version),
    getScriptVersion: (f) => String(versions.get(f) ?? 0),
    getScriptSnapshot: (f) => {
      const known = snapshots.get(f);
      if (known && known.version === (versions.get(f) ?? 0)) return known.snapshot;
      const t = texts.get(f) ?? ts.sys.readFile(f);
      const snapshot = t === undefined ? undefined : new Snapshot(t);
      snapshots.set(f, { version: versions.get(f) ?? 0, snapshot });
      return snapshot;
    },
    getCurrentDirectory: () => dir,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists, readFile: ts.sys.readFile, readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return {
    service,
    update(f, text) {
      texts.set(f, text);
      versions.set(f, (versions.get(f) ?? 0) + 1);
      version++;
    },
  };
}

// ---------------------------------------------------------------------------------------------- run
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const WARMUP = 3;

/**
 * One server process and one anchor LanguageService over `dir`; `file` is opened, then `samples` one-line edits
 * (`edit(i, lines)` returns the line index and its new text) each followed by fresh diagnostics from both.
 */
async function session(dir, file, samples, edit) {
  const uri = pathToFileURL(file).href;
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const started = performance.now();
  const client = new Client();
  await client.request("initialize", {
    processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: "bench" }],
    capabilities: { textDocument: { diagnostic: {} }, workspace: { diagnostics: { refreshSupport: false }, configuration: true } },
  });
  client.notify("initialized", {});
  client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text: lines.join("\n") } });
  const first = await client.request("textDocument/diagnostic", { textDocument: { uri } });
  const coldMs = performance.now() - started;

  const texts = new Map();
  const anchor = tsService(dir, texts);
  const t0 = performance.now();
  anchor.service.getSemanticDiagnostics(file);
  const tsColdMs = performance.now() - t0;

  const out = { coldMs, tsColdMs, firstCount: first.items.length, server: [], typescript: [], programOnly: [], parseOnly: [], counts: new Set() };
  let version = 1;
  for (let i = 0; i < samples + WARMUP; i++) {
    const { line, next } = edit(i, lines);
    const old = lines[line];
    lines[line] = next;
    const text = lines.join("\n");
    version++;
    // server: one-line edit → fresh diagnostics
    const s0 = performance.now();
    client.notify("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: next }],
    });
    const report = await client.request("textDocument/diagnostic", { textDocument: { uri } });
    const s1 = performance.now();
    out.counts.add(report.items.length);
    // TypeScript: the same edit → its program update, then getSemanticDiagnostics of the same file
    const a0 = performance.now();
    anchor.update(file, text);
    const program = anchor.service.getProgram();
    const a1 = performance.now();
    anchor.service.getSemanticDiagnostics(file);
    const a2 = performance.now();
    // The floor of any ESLint-based check: typescript-estree's conversion of the file alone (no rules, no scopes).
    const p0 = performance.now();
    tsParser.parseForESLint(text, { programs: [program], filePath: file, range: true, loc: true, tokens: true, comment: true, ecmaVersion: "latest", sourceType: "module" });
    const p1 = performance.now();
    if (i >= WARMUP) {
      out.server.push(s1 - s0);
      out.typescript.push(a2 - a0);
      out.programOnly.push(a1 - a0);
      out.parseOnly.push(p1 - p0);
    }
  }
  out.rss = client.rssMB();
  // BENCH_LOGS=1: print the server's log (its verbose trace gives each lint's mode and duration).
  if (process.env.BENCH_LOGS === "1") for (const m of client.logs) console.log(`  server: ${m}`);
  // The server's verbose trace says how each lint ran: "linted <file> (v<n>, partial: …|full…|unchanged text)".
  const modes = client.logs.map((m) => /^linted .* \(v(\d+), (partial|full|unchanged)/.exec(m)).filter((m) => m && Number(m[1]) > WARMUP + 1);
  out.partial = modes.filter((m) => m[2] === "partial").length;
  out.linted = modes.length;
  out.reasons = new Map();
  for (const m of client.logs) {
    const full = /^linted .* \(v(\d+), full: (.*)\) in /.exec(m);
    if (full && Number(full[1]) > WARMUP + 1) out.reasons.set(full[2], (out.reasons.get(full[2]) ?? 0) + 1);
  }
  await client.request("shutdown");
  client.notify("exit");
  return out;
}

const summary = (r) => ({
  p50: pct(r.server, 50), p95: pct(r.server, 95), t50: pct(r.typescript, 50), t95: pct(r.typescript, 95),
  prog50: pct(r.programOnly, 50), parse50: pct(r.parseOnly, 50),
});

// ---------------------------------------------------------------------------------------------- the generated project
const generated = await (async () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ctxkit-bench-server-")));
  try {
    const { big, functions } = generate(dir);
    const bigLines = fs.readFileSync(big, "utf8").split("\n");
    console.log(`project: ${FILES} files, big.ts ${bigLines.length - 1} lines (${functions} handlers)`);
    // The edited line: `  const total = input * N;` of a handler in the middle of the file, toggled each sample.
    const editLine = bigLines.findIndex((l, i) => i > bigLines.length / 2 && l.startsWith("  const total = input * "));
    const r = await session(dir, big, SAMPLES, (_i, lines) => {
      const old = lines[editLine];
      return { line: editLine, next: old.endsWith(" + 1;") ? old.replace(" + 1;", ";") : old.replace(/;$/, " + 1;") };
    });
    const s = summary(r);
    console.log(`cold start to first diagnostics: ${fmt(r.coldMs)} ms, ${r.firstCount} diagnostics; TypeScript cold ${fmt(r.tsColdMs)} ms`);
    console.log(`edit → diagnostics: p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms; TypeScript: p50 ${fmt(s.t50)} ms, p95 ${fmt(s.t95)} ms (program update alone p50 ${fmt(s.prog50)} ms)`);
    console.log(`typescript-estree parse alone: p50 ${fmt(s.parse50)} ms; server RSS ${r.rss.toFixed(0)} MB; partial lints ${r.partial}/${r.linted}`);
    return { ...r, ...s, lines: bigLines.length - 1, functions };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})();

// ---------------------------------------------------------------------------------------------- the real packages
// Each package of the rules' real-code corpus, its src/ copied beside a tsconfig of the corpus's compiler options;
// the edits append ` void 0;` to (and then remove it from) single-line statements inside function bodies of its
// largest file that has any, at seeded random sites — annotated or not, so some edits take the partial path and some the full.
const { REAL_CODE_PACKAGES, packageSources, realCodeOptions } = require("../test/eslint-plugin/harness.ts");
const REAL_SAMPLES = quick ? 6 : 20;
const REAL_TSCONFIG = {
  target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["es2023", "dom", "dom.iterable", "esnext.disposable"], types: ["node"],
  strict: true, skipLibCheck: true, noEmit: true, allowImportingTsExtensions: true, resolveJsonModule: true, esModuleInterop: true,
  isolatedModules: true, experimentalDecorators: true,
};
{
  const converted = ts.convertCompilerOptionsFromJson(REAL_TSCONFIG, root).options;
  const same = JSON.stringify(Object.entries(converted).sort()) === JSON.stringify(Object.entries(realCodeOptions).sort());
  if (!same) throw new Error(`bench: REAL_TSCONFIG no longer matches realCodeOptions of test/eslint-plugin/harness.ts: ${JSON.stringify(converted)}`);
}

function editSites(text, fileName) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const sites = [];
  const visit = (node) => {
    if (ts.isBlock(node) && node.parent && ts.isFunctionLike(node.parent)) {
      for (const st of node.statements) {
        if (!ts.isExpressionStatement(st) && !ts.isVariableStatement(st) && !ts.isReturnStatement(st)) continue;
        const a = sf.getLineAndCharacterOfPosition(st.getStart(sf)).line, b = sf.getLineAndCharacterOfPosition(st.end).line;
        if (a === b && text.split("\n")[a].trimEnd() === text.split("\n")[a]) sites.push(a);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...new Set(sites)];
}

const real = [];
// BENCH_PACKAGES=openai,ai runs only those packages (RESULTS.md is then not written).
const only = process.env.BENCH_PACKAGES?.split(",");
for (const pkg of REAL_CODE_PACKAGES) {
  if (only && !only.includes(pkg)) continue;
  const sources = packageSources(pkg);
  if (sources.length === 0) continue;
  const srcDir = path.join(root, "node_modules", pkg, "src");
  // The largest file that has somewhere to edit (a package's largest file can be all types or generated tables).
  const bySize = sources.map((f) => [f, fs.readFileSync(f, "utf8")]).sort((a, b) => b[1].split("\n").length - a[1].split("\n").length);
  const largest = bySize.find(([f, t]) => editSites(t, f).length > 0);
  if (!largest) {
    console.log(`${pkg}: no file has a single-line statement in a function body to edit; skipped`);
    continue;
  }
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ctxkit-bench-server-real-")));
  try {
    fs.cpSync(srcDir, path.join(dir, "src"), { recursive: true });
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: REAL_TSCONFIG, include: ["src"] }, null, 2));
    const file = path.join(dir, "src", path.relative(srcDir, largest[0]));
    const sites = editSites(largest[1], file);
    let seed = 1;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let pending; // [line, its text before the edit]
    const r = await session(dir, file, REAL_SAMPLES, (_i, lines) => {
      if (pending !== undefined) {
        const [line, before] = pending;
        pending = undefined;
        return { line, next: before };
      }
      const line = sites[Math.floor(random() * sites.length)];
      pending = [line, lines[line]];
      return { line, next: lines[line] + (lines[line].endsWith(";") ? " void 0;" : "; void 0") };
    });
    const s = summary(r);
    const entry = { pkg, version: JSON.parse(fs.readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")).version, file: path.relative(srcDir, largest[0]), lines: largest[1].split("\n").length, files: sources.length, ...r, ...s };
    real.push(entry);
    console.log(`${pkg}: ${entry.file} (${entry.lines} lines of ${entry.files} files): p50 ${fmt(s.p50)} / p95 ${fmt(s.p95)} ms vs TypeScript ${fmt(s.t50)} / ${fmt(s.t95)} ms; partial ${r.partial}/${r.linted}; cold ${fmt(r.coldMs)} ms`);
    if (r.reasons.size > 0) console.log(`  linted in full because: ${[...r.reasons].map(([k, v]) => `${k} (${v})`).join("; ")}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- RESULTS.md
const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
const g = generated;
const realP95 = real.length > 0 ? Math.max(...real.map((r) => r.p95)) : 0;
const realRatio = real.length > 0 ? Math.max(...real.map((r) => r.p95 / r.t95)) : 0;
const met = (ok) => (ok ? "met" : "**not met**");
const section = [
  `Machine: ${cpu}, ${os.cpus().length} cores; Node ${process.version}; TypeScript ${ts.version}; ESLint ${require("eslint/package.json").version}; ${new Date().toISOString().slice(0, 10)}; ` +
    `load average ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} at the end of the run (compare the ratios, not the milliseconds).`,
  "",
  `The server is dist/server.js over stdio, pull diagnostics. The anchor is a TypeScript LanguageService in the bench process over the same files, ` +
    `given the edit the way tsserver is (incrementally re-parsed snapshots); its time is the program update plus \`getSemanticDiagnostics\` of the edited file. ` +
    `Each edit is one \`didChange\` of one line followed by a diagnostic request; ${WARMUP} warm-up edits are not counted. ` +
    `"partial" is how many of the measured lints re-linted only the statements the edit could change (the rest linted the whole file).`,
  "",
  `### Generated project`,
  "",
  `${FILES} files (${FILES - 1} modules each calling the previous one with its context, every 10th dropping it), and \`big.ts\` of ${g.lines} lines (${g.functions} handlers calling across the project); ` +
    `${SAMPLES} edits toggling one line of a handler in the middle of big.ts.`,
  "",
  "| measurement | ctxkit server | TypeScript | ratio (server ÷ TS) |",
  "|---|---:|---:|---:|",
  `| one-line edit → fresh diagnostics, p50 | ${fmt(g.p50)} ms | ${fmt(g.t50)} ms | ${(g.p50 / g.t50).toFixed(2)}× |`,
  `| one-line edit → fresh diagnostics, p95 | ${fmt(g.p95)} ms | ${fmt(g.t95)} ms | ${(g.p95 / g.t95).toFixed(2)}× |`,
  `| of which TypeScript's program update alone (both pay it), p50 | | ${fmt(g.prog50)} ms | |`,
  `| partial lints | ${g.partial} of ${g.linted} | | |`,
  `| cold start → first diagnostics of big.ts | ${fmt(g.coldMs)} ms (process spawn, initialize, program, lint) | ${fmt(g.tsColdMs)} ms (program + check, in-process, TS already loaded) | |`,
  `| resident memory after the run | ${g.rss.toFixed(0)} MB | | |`,
  `| for scale: typescript-estree's conversion of big.ts alone (what a full ESLint run needs before any rule), p50 | ${fmt(g.parse50)} ms | | |`,
  "",
  `### Real packages`,
  "",
  `The largest file with a function body to edit of each package of the rules' real-code corpus, in a project of its \`src/\`; ${REAL_SAMPLES} edits each (\` void 0;\` — or \`; void 0\` in code without semicolons — appended to a single-line statement in a function body at a seeded random site, then removed).`,
  "",
  "| package | file (lines) | server p50 / p95 | TypeScript p50 / p95 | p95 ratio | TS program update p50 | partial | cold start | RSS |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ...real.map((r) => `| ${r.pkg}@${r.version} | ${r.file} (${r.lines}) | ${fmt(r.p50)} / ${fmt(r.p95)} ms | ${fmt(r.t50)} / ${fmt(r.t95)} ms | ${(r.p95 / r.t95).toFixed(2)}× | ${fmt(r.prog50)} ms | ${r.partial}/${r.linted} | ${fmt(r.coldMs)} ms | ${r.rss.toFixed(0)} MB |`),
  "",
  `Targets: p95 ≤ 50 ms — generated ${met(g.p95 <= 50)} (${fmt(g.p95)} ms), real packages ${met(realP95 <= 50)} (worst ${fmt(realP95)} ms); ` +
    `p95 ≤ 1.0× TypeScript — generated ${met(g.p95 <= g.t95)} (${(g.p95 / g.t95).toFixed(2)}×), real packages ${met(realRatio <= 1)} (worst ${realRatio.toFixed(2)}×).`,
].join("\n");
const file = path.join(root, "bench", "RESULTS.md");
const begin = "<!-- bench:server:start -->", end = "<!-- bench:server:end -->";
const block = `${begin}\n## Language server (\`npm run bench:server\`)\n\n${section}\n${end}`;
let results = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmark results\n";
if (results.includes(begin) && results.includes(end)) results = results.slice(0, results.indexOf(begin)) + block + results.slice(results.indexOf(end) + end.length);
else results = results.trimEnd() + "\n\n" + block + "\n";
if (!quick && !only) fs.writeFileSync(file, results);
console.log(quick || only ? "(BENCH_QUICK or BENCH_PACKAGES: RESULTS.md not written)" : "wrote bench/RESULTS.md");
