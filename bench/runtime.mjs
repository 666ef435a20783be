// Runtime benchmarks: the shapes of Go's src/context/benchmark_test.go for ctxkit, beside AbortController /
// AbortSignal.any in the same process and run. Writes medians and ratios to bench/RESULTS.md.
// Usage: npm run bench:runtime   (Go's own figures are added when `go` is on PATH)
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const ck = require("ctxkit");

/** Median ns/op over `samples` timed batches of `n` operations each, after a warm-up batch. */
function measure(fn, n = 10_000, samples = 15) {
  fn(n);
  const out = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    fn(n);
    out.push(Number(process.hrtime.bigint() - t) / n);
  }
  out.sort((a, b) => a - b);
  return out[out.length >> 1];
}

const bg = ck.background();
const rows = [];
const add = (name, ctxkitNs, anchorName, anchorNs) => rows.push({ name, ctxkitNs, anchorName, anchorNs });

add("WithCancel+cancel", measure((n) => { for (let i = 0; i < n; i++) ck.withCancel(bg).cancel(); }, 200_000, 31),
  "new AbortController()+abort()", measure((n) => { for (let i = 0; i < n; i++) new AbortController().abort(); }, 2000));

for (const depth of [1, 10, 100, 1000]) {
  const n = Math.max(10, Math.floor(20_000 / depth));
  add(`CancelTree depth=${depth} Root=Background`, measure((k) => { for (let i = 0; i < k; i++) { let c = bg; for (let d = 0; d < depth; d++) c = ck.withCancel(c).ctx; } }, n) ,
    "AbortSignal.any chain", measure((k) => { for (let i = 0; i < k; i++) { let s = new AbortController().signal; for (let d = 0; d < depth; d++) s = AbortSignal.any([s]); } }, Math.max(5, n >> 3)));
  add(`CancelTree depth=${depth} Root=OpenCanceler`, measure((k) => { for (let i = 0; i < k; i++) { const r = ck.withCancel(bg); let c = r.ctx; for (let d = 0; d < depth; d++) c = ck.withCancel(c).ctx; r.cancel(); } }, n),
    "AbortController + AbortSignal.any chain, abort", measure((k) => { for (let i = 0; i < k; i++) { const ac = new AbortController(); let s = ac.signal; for (let d = 0; d < depth; d++) s = AbortSignal.any([s]); ac.abort(); } }, Math.max(5, n >> 3)));
  add(`CancelTree depth=${depth} Root=ClosedCanceler`, measure((k) => { for (let i = 0; i < k; i++) { const r = ck.withCancel(bg); r.cancel(); let c = r.ctx; for (let d = 0; d < depth; d++) c = ck.withCancel(c).ctx; } }, n), "", undefined);
}

const canceled = ck.withCancel(bg); canceled.cancel();
const live = ck.withCancel(bg).ctx;
let sink = 0;
add("CheckCanceled/Err", measure((n) => { for (let i = 0; i < n; i++) if (canceled.ctx.err()) sink++; }, 1_000_000),
  "signal.aborted", measure((n) => { const s = AbortSignal.abort(); for (let i = 0; i < n; i++) if (s.aborted) sink++; }, 1_000_000));
add("ErrOK", measure((n) => { for (let i = 0; i < n; i++) if (live.err()) sink++; }, 1_000_000), "", undefined);
for (const depth of [10, 20, 30, 50, 100]) {
  let c = bg; for (let d = 0; d < depth; d++) c = ck.withValue(c, ck.createKey(String(d)), d);
  const miss = ck.createKey("miss");
  add(`DeepValueSameGoRoutine depth=${depth}`, measure((n) => { for (let i = 0; i < n; i++) if (c.value(miss) !== undefined) sink++; }, 100_000), "", undefined);
}
for (const pending of [40, 4000]) {
  const held = []; for (let i = 0; i < pending; i++) held.push(ck.withTimeout(bg, 3_600_000));
  add(`WithTimeout concurrency=${pending}`, measure((n) => { for (let i = 0; i < n; i += 10) { const s = []; for (let j = 0; j < 10; j++) s.push(ck.withTimeout(bg, 3_600_000)); for (const x of s) x.cancel(); } }, 10_000), "", undefined);
  for (const h of held) h.cancel();
}
const sharedKey = ck.createKey("key");
const shared = ck.withCancel(ck.withValue(bg, sharedKey, "value"));
add("CommonParentCancel", measure((n) => { for (let i = 0; i < n; i++) { const s = ck.withCancel(shared.ctx); if (s.ctx.value(sharedKey) !== "value") sink--; s.cancel(); } }), "", undefined);

// Retained heap after 1M cancelled children of one live parent, in a fresh process with --expose-gc.
const heapScript = `const ck=require("ctxkit");const p=ck.withCancel(ck.background());gc();const b=process.memoryUsage().heapUsed;for(let i=0;i<1e6;i++)ck.withCancel(p.ctx).cancel();gc();console.log(process.memoryUsage().heapUsed-b)`;
const retained = Number(execFileSync(process.execPath, ["--expose-gc", "-e", heapScript], { encoding: "utf8" }).trim());

let go = {};
if (spawnSync("go", ["version"]).status === 0) {
  const out = spawnSync("go", ["test", "-run", "XXX", "-bench", ".", "-cpu", "1", "context"], { encoding: "utf8" }).stdout ?? "";
  for (const m of out.matchAll(/^Benchmark(\S+)\s+\d+\s+([\d.]+) ns\/op/gm)) go[m[1]] = Number(m[2]);
}

const fmt = (x) => (x === undefined ? "" : x < 10 ? x.toFixed(2) : x.toFixed(0));
const lines = [
  `Machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores; Node ${process.version}; ctxkit ${require("ctxkit/package.json").version}; Go ${Object.keys(go).length ? "run" : "not installed"}; ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "Median ns/op (15 samples; 31 for WithCancel+cancel). Ratio = anchor ÷ ctxkit (higher is better for ctxkit).",
  "",
  "| benchmark | ctxkit ns/op | anchor | anchor ns/op | ratio |",
  "|---|---:|---|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${fmt(r.ctxkitNs)} | ${r.anchorName} | ${fmt(r.anchorNs)} | ${r.anchorNs ? (r.anchorNs / r.ctxkitNs).toFixed(1) + "×" : ""} |`),
  "",
  `Retained heap after 1M cancelled children of one live parent: ${(retained / 1024).toFixed(0)} KiB (target: within 1 MB).`,
];
if (Object.keys(go).length) lines.push("", "Go `context` benchmarks (same run):", "", ...Object.entries(go).map(([k, v]) => `- ${k}: ${v} ns/op`));
const section = lines.join("\n");
const file = new URL("./RESULTS.md", import.meta.url);
const begin = "<!-- bench:runtime:start -->", end = "<!-- bench:runtime:end -->";
let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\nWritten by the scripts in bench/; each owns its section.\n\n";
const block = `${begin}\n## Runtime (\`npm run bench:runtime\`)\n\n${section}\n${end}`;
text = text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), block) : `${text}${block}\n`;
writeFileSync(file, text);
console.log(section);
if (sink < 0) console.log(sink);
