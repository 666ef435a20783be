// Runtime benchmarks: the shapes of Go's src/context/benchmark_test.go for ctxkit, beside Go's own context
// (when `go` is on PATH), AbortController / AbortSignal.any, @esfx/canceltoken and abort-controller-x, all in
// one run. Writes medians and ratios to bench/RESULTS.md (its own section only).
// Usage: npm run bench:runtime        (BENCH_QUICK=1 for a fast smoke run with fewer samples)
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const ck = require("ctxkit");
const { CancelToken } = require("@esfx/canceltoken");
const acx = require("abort-controller-x");

const QUICK = process.env.BENCH_QUICK === "1";
const loadAtStart = os.loadavg()[0].toFixed(1);
const SAMPLES = QUICK ? 5 : 21;

const BATCH_NS = (QUICK ? 1 : 8) * 1e6;

/**
 * Median ns/op over SAMPLES timed batches. The batch size is calibrated so that one batch takes about
 * BATCH_NS (slow libraries get small batches, fast paths large ones); `maxN` caps it where an operation
 * allocates a lot. Calibration doubles as the warm-up.
 */
function measure(fn, maxN = 1e7) {
  let n = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    fn(n);
    const took = Number(process.hrtime.bigint() - t);
    if (took >= BATCH_NS || n >= maxN) break;
    n = Math.min(maxN, took < BATCH_NS / 10 ? n * 10 : n * 2);
  }
  fn(n);
  const out = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = process.hrtime.bigint();
    fn(n);
    out.push(Number(process.hrtime.bigint() - t) / n);
  }
  out.sort((a, b) => a - b);
  return out[out.length >> 1];
}
async function measureAsync(fn, maxN = 1e6) {
  let n = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    await fn(n);
    const took = Number(process.hrtime.bigint() - t);
    if (took >= BATCH_NS || n >= maxN) break;
    n = Math.min(maxN, took < BATCH_NS / 10 ? n * 10 : n * 2);
  }
  const out = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = process.hrtime.bigint();
    await fn(n);
    out.push(Number(process.hrtime.bigint() - t) / n);
  }
  out.sort((a, b) => a - b);
  return out[out.length >> 1];
}

// ---------------------------------------------------------------------------------------------- Go
// Go runs alone (not beside the Node measurements), once before and once after them; each Go figure is the
// faster of the two runs, so a machine that got busier or quieter meanwhile cannot flatter ctxkit.
const go = {};
const goRuns = [{}, {}];
let goVersion = "not installed";
const hasGoTool = spawnSync("go", ["version"]).status === 0;
function runGo(into) {
  const args = ["test", "-run", "XXX", "-bench", ".", "-cpu", "1", "context"];
  if (QUICK) args.push("-benchtime", "100ms");
  process.stderr.write(`go ${args.join(" ")} ...\n`);
  const r = spawnSync("go", args, { encoding: "utf8", maxBuffer: 1 << 24 });
  for (const m of (r.stdout ?? "").matchAll(/^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns\/op/gm)) into[m[1]] = Number(m[2]);
  if (!Object.keys(into).length) process.stderr.write(`go test produced no benchmarks:\n${r.stdout}\n${r.stderr}\n`);
}
if (hasGoTool) {
  goVersion = spawnSync("go", ["version"], { encoding: "utf8" }).stdout.trim().replace(/^go version /, "");
  runGo(goRuns[0]);
}

// ------------------------------------------------------------------------------------------ shapes
/** rows: name (Go's benchmark name where there is one), then ns/op per implementation (undefined = no equivalent). */
const rows = [];
const row = (name, r) => {
  rows.push({ name, ...r });
  process.stderr.write(`${name}: ${Object.entries(r).map(([k, v]) => `${k} ${v === undefined ? "-" : v.toFixed(1)}`).join(", ")}\n`);
};
const bg = ck.background();
let sink = 0;

row("WithCancel+cancel", {
  ctxkit: measure((n) => { for (let i = 0; i < n; i++) ck.withCancel(bg).cancel(); }),
  ac: measure((n) => { for (let i = 0; i < n; i++) new AbortController().abort(); }),
  esfx: measure((n) => { for (let i = 0; i < n; i++) CancelToken.source().cancel(); }),
});

for (const depth of [1, 10, 100, 1000]) {
  row(`CancelTree/depth=${depth}/Root=Background`, {
    ctxkit: measure((k) => { for (let i = 0; i < k; i++) { let c = bg; for (let d = 0; d < depth; d++) c = ck.withCancel(c).ctx; } }),
    ac: measure((k) => { for (let i = 0; i < k; i++) { let s = new AbortController().signal; for (let d = 1; d < depth; d++) s = AbortSignal.any([s]); } }),
    esfx: depth > 10 ? undefined : measure((k) => { for (let i = 0; i < k; i++) { let t = CancelToken.none; for (let d = 0; d < depth; d++) t = CancelToken.source([t]).token; } }),
  });
  row(`CancelTree/depth=${depth}/Root=OpenCanceler`, {
    ctxkit: measure((k) => { for (let i = 0; i < k; i++) { const r = ck.withCancel(bg); let c = r.ctx; for (let d = 0; d < depth; d++) c = ck.withCancel(c).ctx; r.cancel(); } }),
    ac: measure((k) => { for (let i = 0; i < k; i++) { const ac = new AbortController(); let s = ac.signal; for (let d = 0; d < depth; d++) s = AbortSignal.any([s]); ac.abort(); } }),
    esfx: depth > 10 ? undefined : measure((k) => { for (let i = 0; i < k; i++) { const r = CancelToken.source(); let t = r.token; for (let d = 0; d < depth; d++) t = CancelToken.source([t]).token; r.cancel(); } }),
  });
  row(`CancelTree/depth=${depth}/Root=ClosedCanceler`, {
    ctxkit: measure((k) => { for (let i = 0; i < k; i++) { const r = ck.withCancel(bg); r.cancel(); let c = r.ctx; for (let d = 0; d < depth; d++) c = ck.withCancel(c).ctx; } }),
    ac: measure((k) => { for (let i = 0; i < k; i++) { const ac = new AbortController(); ac.abort(); let s = ac.signal; for (let d = 0; d < depth; d++) s = AbortSignal.any([s]); } }),
    esfx: depth > 10 ? undefined : measure((k) => { for (let i = 0; i < k; i++) { const r = CancelToken.source(); r.cancel(); let t = r.token; for (let d = 0; d < depth; d++) t = CancelToken.source([t]).token; } }),
  });
}

{
  const canceled = ck.withCancel(bg); canceled.cancel();
  const canceledSignal = canceled.ctx.signal;
  const ac = new AbortController(); ac.abort();
  const src = CancelToken.source(); src.cancel();
  row("CheckCanceled/Err", {
    ctxkit: measure((n) => { for (let i = 0; i < n; i++) if (canceled.ctx.err()) sink++; }),
    ac: measure((n) => { for (let i = 0; i < n; i++) if (ac.signal.aborted) sink++; }),
    esfx: measure((n) => { for (let i = 0; i < n; i++) if (src.token.signaled) sink++; }),
  });
  row("CheckCanceled/Done", {
    ctxkit: measure((n) => { for (let i = 0; i < n; i++) if (canceledSignal.aborted) sink++; }),
  });
  const live = ck.withCancel(bg);
  const liveSignal = live.ctx.signal;
  row("ContextCancelDone", {
    ctxkit: measure((n) => { for (let i = 0; i < n; i++) if (liveSignal.aborted) sink++; }),
  });
  const liveAC = new AbortController();
  const liveSrc = CancelToken.source();
  row("ErrOK", {
    ctxkit: measure((n) => { for (let i = 0; i < n; i++) if (live.ctx.err()) sink++; }),
    ac: measure((n) => { for (let i = 0; i < n; i++) if (liveAC.signal.aborted) sink++; }),
    esfx: measure((n) => { for (let i = 0; i < n; i++) if (liveSrc.token.signaled) sink++; }),
  });
  live.cancel();
}

for (const depth of [10, 20, 30, 50, 100]) {
  let c = bg; for (let d = 0; d < depth; d++) c = ck.withValue(c, ck.createKey(String(d)), d);
  const miss = ck.createKey("miss");
  row(`DeepValueSameGoRoutine/depth=${depth}`, {
    ctxkit: measure((n) => { for (let i = 0; i < n; i++) if (c.value(miss) !== undefined) sink++; }),
  });
  // Go starts a goroutine per lookup and waits for it; the JavaScript equivalent is a microtask hop.
  row(`DeepValueNewGoRoutine/depth=${depth}`, {
    ctxkit: await measureAsync(async (n) => { for (let i = 0; i < n; i++) if ((await Promise.resolve().then(() => c.value(miss))) !== undefined) sink++; }),
  });
}

for (const pending of QUICK ? [40, 4000] : [40, 4000, 400_000]) {
  const held = []; for (let i = 0; i < pending; i++) held.push(ck.withTimeout(bg, 3_600_000));
  row(`WithTimeout/concurrency=${pending}`, {
    ctxkit: measure((n) => { for (let i = 0; i < n; i++) { const s = []; for (let j = 0; j < 10; j++) s.push(ck.withTimeout(bg, 3_600_000)); for (const x of s) x.cancel(); } }),
  });
  for (const h of held) h.cancel();
}

{
  // Go's shape: a child of a shared parent, a value lookup through two layers, 2×100 integer divisions.
  const sharedKey = ck.createKey("key");
  const shared = ck.withCancel(ck.withValue(bg, sharedKey, "value"));
  let x = 0;
  const work = () => { for (let i = 0; i < 100; i++) x = Math.trunc(x / (x + 1)); };
  const sharedSrc = CancelToken.source();
  row("CommonParentCancel", {
    ctxkit: measure((n) => { for (let i = 0; i < n; i++) { const s = ck.withCancel(shared.ctx); if (s.ctx.value(sharedKey) !== "value") sink--; work(); s.cancel(); work(); } }),
    esfx: measure((n) => { for (let i = 0; i < n; i++) { const s = CancelToken.source([sharedSrc.token]); work(); s.cancel(); work(); } }),
  });
  shared.cancel();
  sink += x;
}

// Shapes beyond Go's file: the helpers that settle a promise or a sleep under cancellation.
{
  row("race(ctx, settled promise)", {
    ctxkit: await measureAsync(async (n) => { const [c, cancel] = ck.withCancel(bg); for (let i = 0; i < n; i++) sink += await ck.race(c, Promise.resolve(1)); cancel(); }),
    acx: await measureAsync(async (n) => { const ac = new AbortController(); for (let i = 0; i < n; i++) sink += await acx.abortable(ac.signal, Promise.resolve(1)); }),
  });
  row("sleep(ctx, 1 h) then cancel", {
    ctxkit: await measureAsync(async (n) => { for (let i = 0; i < n; i++) { const [c, cancel] = ck.withCancel(bg); const p = ck.sleep(c, 3_600_000).catch(() => sink++); cancel(); await p; } }),
    acx: await measureAsync(async (n) => { for (let i = 0; i < n; i++) { const ac = new AbortController(); const p = acx.delay(ac.signal, 3_600_000).catch(() => sink++); ac.abort(); await p; } }),
  });
}

// Retained heap after 1M cancelled children of one live parent, in a fresh process with --expose-gc.
const heapScript = `const ck=require("ctxkit");const p=ck.withCancel(ck.background());for(let i=0;i<4;i++)gc();const b=process.memoryUsage().heapUsed;for(let i=0;i<1e6;i++)ck.withCancel(p.ctx).cancel();for(let i=0;i<4;i++)gc();console.log(process.memoryUsage().heapUsed-b)`;
const retained = Number(execFileSync(process.execPath, ["--expose-gc", "-e", heapScript], { encoding: "utf8" }).trim());

if (hasGoTool) {
  runGo(goRuns[1]);
  for (const k of new Set([...Object.keys(goRuns[0]), ...Object.keys(goRuns[1])])) {
    go[k] = Math.min(goRuns[0][k] ?? Infinity, goRuns[1][k] ?? Infinity);
  }
}

// ------------------------------------------------------------------------------------------ report
const fmt = (x) => (x === undefined ? "—" : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const ratio = (a, b) => (a === undefined || b === undefined ? "—" : `${(a / b).toFixed(a / b < 10 ? 2 : 0)}×`);
const pkgVersion = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
const hasGo = Object.keys(go).length > 0;
const withRatios = rows.map((r) => ({ ...r, go: go[r.name] }));
const lines = [
  `Machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores shared with other jobs (load average at start ${loadAtStart}, at end ${os.loadavg()[0].toFixed(1)}), ${os.platform()} ${os.release()}; Node ${process.version}; ` +
    `ctxkit ${pkgVersion("ctxkit")}; Go ${goVersion}; @esfx/canceltoken ${pkgVersion("@esfx/canceltoken")}; abort-controller-x ${pkgVersion("abort-controller-x")}; ${new Date().toISOString().slice(0, 16)}Z.`,
  "",
  `Median ns/op over ${SAMPLES} batches per shape. Go: \`go test -run XXX -bench . -cpu 1 context\`, run in the same invocation`,
  "before and after the Node measurements; each Go figure is the faster of its two runs (the Go columns of both runs are listed below).",
  "**ctxkit/Go** is ctxkit's time ÷ Go's (≤ 1.00× means ctxkit is at least as fast); the other ratios are the",
  "other library's time ÷ ctxkit's (higher is better for ctxkit). — means the library has no equivalent (see below).",
  "",
  "| shape | ctxkit | Go | ctxkit/Go | AbortController | AC÷ctxkit | @esfx/canceltoken | esfx÷ctxkit | abort-controller-x | acx÷ctxkit |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...withRatios.map((r) =>
    `| ${r.name} | ${fmt(r.ctxkit)} | ${fmt(r.go)} | ${ratio(r.ctxkit, r.go)} | ${fmt(r.ac)} | ${ratio(r.ac, r.ctxkit)} | ${fmt(r.esfx)} | ${ratio(r.esfx, r.ctxkit)} | ${fmt(r.acx)} | ${ratio(r.acx, r.ctxkit)} |`),
  "",
  `Retained heap after 1M cancelled children of one live parent: ${(retained / 1024).toFixed(0)} KiB (target: within 1 MB).`,
  "",
];
// Targets of issue 2, checked on this run.
const t = [];
const cancelTree = withRatios.filter((r) => r.name.startsWith("CancelTree/"));
if (hasGo) {
  const worst = cancelTree.reduce((a, r) => (r.go && r.ctxkit / r.go > (a?.ctxkit / a?.go || 0) ? r : a), undefined);
  t.push(`- every CancelTree shape ≤ 1.0× Go: ${cancelTree.every((r) => r.go && r.ctxkit <= r.go) ? "met" : "MISSED"} (worst ${worst?.name} at ${ratio(worst?.ctxkit, worst?.go)})`);
  const values = withRatios.filter((r) => r.name.startsWith("DeepValueSameGoRoutine/"));
  t.push(`- value lookup ≤ 1.0× Go: ${values.every((r) => r.go && r.ctxkit <= r.go) ? "met" : "MISSED"} (${values.map((r) => ratio(r.ctxkit, r.go)).join(", ")} for depth 10–100)`);
  const err = withRatios.find((r) => r.name === "CheckCanceled/Err");
  t.push(`- err() ≤ 1.0× Go: ${err.go && err.ctxkit <= err.go ? "met" : "MISSED"} (CheckCanceled/Err ${ratio(err.ctxkit, err.go)})`);
} else {
  t.push("- the Go targets could not be checked: `go` is not on PATH (Debian: `apt-get install golang-go`)");
}
const wc = withRatios.find((r) => r.name === "WithCancel+cancel");
t.push(`- withCancel+cancel ≥ 100× faster than new AbortController()+abort(): ${wc.ac / wc.ctxkit >= 100 ? "met" : "MISSED"} (${ratio(wc.ac, wc.ctxkit)})`);
t.push(`- retained heap after 1M cancelled children within 1 MB: ${retained < 1024 * 1024 ? "met" : "MISSED"} (${(retained / 1024).toFixed(0)} KiB)`);
lines.push("Targets (issue 2), this run:", "", ...t, "");
lines.push(
  "Equivalents used, and where there is none:",
  "",
  "- AbortController: a CancelTree level is `AbortSignal.any([parent])` (Background: the chain starts at a never-aborted signal);",
  "  CheckCanceled/Err and ErrOK read `signal.aborted`. It has no values, no deadlines to cancel early, and no shared-parent",
  "  child that can be cancelled on its own without a second controller, so DeepValue, WithTimeout and CommonParentCancel have no row.",
  "- @esfx/canceltoken: a level is `CancelToken.source([parent]).token`, cancel is `source.cancel()`, err() is `token.signaled`.",
  "  Its CancelTree rows stop at depth 10: creating a source linked to a linked token re-checks the whole chain, doubling",
  "  the cost with every level (measured once here: 37 ms for a chain of 10, 1.8 s for 20, 71 s for 25), so depth 100 and",
  "  1000 cannot be run.",
  "  It has no values; its `CancelToken.timeout` cannot be cancelled before it fires, so WithTimeout has no equivalent;",
  "  its CommonParentCancel row has no value lookup (the rest of Go's shape, busy-work included, is the same).",
  "- abort-controller-x is a set of combinators over AbortSignal, not a context tree: it has no CancelTree, value or",
  "  deadline shapes. Its `abortable(signal, promise)` and `delay(signal, ms)` are the equivalents of `race` and `sleep`.",
  "- Go's CheckCanceled/Done and ContextCancelDone poll a channel; ctxkit's equivalent polls `ctx.signal.aborted`.",
  "  That poll is the cost of Node's `AbortSignal.aborted` getter; ctxkit's own poll is `err()` (CheckCanceled/Err, ErrOK).",
  "  DeepValueNewGoRoutine starts a goroutine per lookup; ctxkit's equivalent hops through a microtask.",
  "  CommonParentCancel is dominated by Go's 2×100 integer divisions, done here as `Math.trunc(x / (x + 1))`.",
  "  Go 1.19 (Debian bookworm's golang-go) has no ErrOK benchmark, so that row has no Go figure.",
);
if (hasGo) {
  lines.push("", "Go's two runs (ns/op, before → after the Node measurements):", "");
  for (const k of Object.keys(go)) lines.push(`- ${k}: ${goRuns[0][k] ?? "—"} → ${goRuns[1][k] ?? "—"}`);
}
const section = lines.join("\n");
const file = new URL("./RESULTS.md", import.meta.url);
const begin = "<!-- bench:runtime:start -->", end = "<!-- bench:runtime:end -->";
let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\nWritten by the scripts in bench/; each owns its section.\n\n";
const block = `${begin}\n## Runtime (\`npm run bench:runtime\`)\n\n${section}\n${end}`;
text = text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), () => block) : `${text}\n${block}\n`;
if (!QUICK) writeFileSync(file, text);
console.log(section);
if (sink < 0) console.log(sink);
