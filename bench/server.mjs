// Language server benchmark: a generated project (500 files, one of 3,000 lines, contexts threaded across files),
// driven over real stdio JSON-RPC with dist/server.js. Measures, in one run:
//   - p50/p95 from a one-line edit (didChange) to fresh diagnostics (textDocument/diagnostic answered), beside
//     TypeScript's own getSemanticDiagnostics for the same file after the same edit (its own LanguageService);
//   - cold start: process spawn to the first diagnostics of the big file;
//   - the server's resident memory.
// Writes its section of bench/RESULTS.md. Usage: npm run bench:server  (BENCH_QUICK=1: fewer samples;
// BENCH_SERVER_NODE_ARGS: node flags for the server process, such as --cpu-prof)
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
      if (msg.id !== undefined && msg.method) this.send({ jsonrpc: "2.0", id: msg.id, result: msg.method === "workspace/configuration" ? [null] : null });
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

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ctxkit-bench-server-")));
try {
  const { big, functions } = generate(dir);
  const uri = pathToFileURL(big).href;
  let text = fs.readFileSync(big, "utf8");
  const bigLines = text.split("\n");
  console.log(`project: ${FILES} files, big.ts ${bigLines.length - 1} lines (${functions} handlers)`);

  const started = performance.now();
  const client = new Client();
  await client.request("initialize", {
    processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: "bench" }],
    capabilities: { textDocument: { diagnostic: {} }, workspace: { diagnostics: { refreshSupport: false } } },
  });
  client.notify("initialized", {});
  client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text } });
  const first = await client.request("textDocument/diagnostic", { textDocument: { uri } });
  const coldMs = performance.now() - started;
  console.log(`cold start to first diagnostics: ${fmt(coldMs)} ms, ${first.items.length} diagnostics`);

  const texts = new Map();
  const anchor = tsService(dir, texts);
  const t0 = performance.now();
  const tsFirst = anchor.service.getSemanticDiagnostics(big);
  const tsColdMs = performance.now() - t0;
  console.log(`TypeScript cold (program + semantic diagnostics of big.ts, in-process): ${fmt(tsColdMs)} ms, ${tsFirst.length} diagnostics`);

  // The edited line: `  const total = input * N;` of a handler in the middle of the file, toggled each sample.
  const editLine = bigLines.findIndex((l, i) => i > bigLines.length / 2 && l.startsWith("  const total = input * "));
  const server = [];
  const typescript = [];
  const parseOnly = [];
  let version = 1;
  let counts = new Set();
  for (let i = 0; i < SAMPLES + 3; i++) {
    const old = bigLines[editLine];
    const next = old.endsWith(" + 1;") ? old.replace(" + 1;", ";") : old.replace(/;$/, " + 1;");
    bigLines[editLine] = next;
    text = bigLines.join("\n");
    version++;
    // server: one-line edit → fresh diagnostics
    const s0 = performance.now();
    client.notify("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: editLine, character: 0 }, end: { line: editLine, character: old.length } }, text: next }],
    });
    const report = await client.request("textDocument/diagnostic", { textDocument: { uri } });
    const s1 = performance.now();
    counts.add(report.items.length);
    // TypeScript: the same edit → getSemanticDiagnostics of the same file
    const a0 = performance.now();
    anchor.update(big, text);
    anchor.service.getSemanticDiagnostics(big);
    const a1 = performance.now();
    // The floor of any ESLint-based check: typescript-estree's conversion of big.ts alone (no rules, no scopes).
    const program = anchor.service.getProgram();
    const p0 = performance.now();
    tsParser.parseForESLint(text, { programs: [program], filePath: big, range: true, loc: true, tokens: true, comment: true, ecmaVersion: "latest", sourceType: "module" });
    const p1 = performance.now();
    if (i >= 3) {
      server.push(s1 - s0);
      typescript.push(a1 - a0);
      parseOnly.push(p1 - p0);
    }
  }
  const rss = client.rssMB();
  const p50 = pct(server, 50), p95 = pct(server, 95), t50 = pct(typescript, 50), t95 = pct(typescript, 95);
  console.log(`edit → diagnostics: p50 ${fmt(p50)} ms, p95 ${fmt(p95)} ms; TypeScript getSemanticDiagnostics: p50 ${fmt(t50)} ms, p95 ${fmt(t95)} ms`);
  console.log(`typescript-estree parse of big.ts alone: p50 ${fmt(pct(parseOnly, 50))} ms`);
  console.log(`server RSS ${rss.toFixed(0)} MB; diagnostics per run: ${[...counts].join(", ")}`);
  await client.request("shutdown");
  client.notify("exit");

  // ---------------------------------------------------------------------------------------------- RESULTS.md
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const tsVersion = ts.version;
  const eslintVersion = require("eslint/package.json").version;
  const ok50 = p95 <= 50, okRatio = p95 <= t95;
  const section = [
    `Machine: ${cpu}, ${os.cpus().length} cores; Node ${process.version}; TypeScript ${tsVersion}; ESLint ${eslintVersion}; ${new Date().toISOString().slice(0, 10)}; ` +
      `load average ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} at the end of the run (other jobs shared the machine; compare the ratios, not the milliseconds).`,
    "",
    `Generated project: ${FILES} files (${FILES - 1} modules each calling the previous one with its context, every 10th dropping it), and \`big.ts\` of ${bigLines.length - 1} lines (${functions} handlers calling across the project). ` +
      `The server is dist/server.js over stdio, pull diagnostics; the anchor is a TypeScript LanguageService in the bench process over the same files. ` +
      `${SAMPLES} one-line edits of big.ts (after 3 warm-up edits), each followed by a diagnostic request; the anchor gets the same edit and \`getSemanticDiagnostics(big.ts)\`.`,
    "",
    "| measurement | ctxkit server | TypeScript getSemanticDiagnostics | ratio (server ÷ TS) |",
    "|---|---:|---:|---:|",
    `| one-line edit → fresh diagnostics, p50 | ${fmt(p50)} ms | ${fmt(t50)} ms | ${(p50 / t50).toFixed(2)}× |`,
    `| one-line edit → fresh diagnostics, p95 | ${fmt(p95)} ms | ${fmt(t95)} ms | ${(p95 / t95).toFixed(2)}× |`,
    `| cold start → first diagnostics of big.ts | ${fmt(coldMs)} ms (process spawn, initialize, program, lint) | ${fmt(tsColdMs)} ms (program + check, in-process, TS already loaded) | |`,
    `| resident memory after the run | ${rss.toFixed(0)} MB | | |`,
    `| for scale: typescript-estree's conversion of big.ts alone (what ESLint needs before any rule), p50 | ${fmt(pct(parseOnly, 50))} ms | ${fmt(t50)} ms | ${(pct(parseOnly, 50) / t50).toFixed(2)}× |`,
    "",
    `Targets: p95 ≤ 50 ms — ${ok50 ? "met" : "**not met**"} (${fmt(p95)} ms); p95 ≤ 1.0× TypeScript's semantic diagnostics — ${okRatio ? "met" : "**not met**"} (${(p95 / t95).toFixed(2)}×).`,
  ].join("\n");
  const file = path.join(root, "bench", "RESULTS.md");
  const begin = "<!-- bench:server:start -->", end = "<!-- bench:server:end -->";
  const block = `${begin}\n## Language server (\`npm run bench:server\`)\n\n${section}\n${end}`;
  let results = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmark results\n";
  if (results.includes(begin) && results.includes(end)) results = results.slice(0, results.indexOf(begin)) + block + results.slice(results.indexOf(end) + end.length);
  else results = results.trimEnd() + "\n\n" + block + "\n";
  if (!quick) fs.writeFileSync(file, results);
  console.log(quick ? "(BENCH_QUICK: RESULTS.md not written)" : "wrote bench/RESULTS.md");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
