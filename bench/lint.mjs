// Lint benchmark: every ctxkit rule together versus typescript-eslint's no-floating-promises alone (a rule of the
// same kind: type queries on calls) and versus a parse-only baseline, on the real-code corpus (TypeScript sources
// of npm packages, see test/eslint-plugin/harness.ts), in one run, on one TypeScript program.
//
// The type-check cost is separated out: the program is fully type-checked once before the timed passes, so a
// pass measures what the rules themselves cost. Every pass lints through a fresh view of that program (a Proxy:
// same checker, new identity), so whatever a rule caches per program (ctxkit's matcher and its per-node caches)
// starts empty, as in one `eslint` run; without it, passes after the first would measure cache hits. Two cold
// passes on fresh programs (types computed on demand by the rules) are reported beside them for information.
//
// Usage: npm run bench:lint [-- --runs=5 --every=5]   (every=N lints every N-th file of the sorted corpus)
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";

const require = createRequire(import.meta.url);
const { Linter } = require("eslint");
const tseslint = require("typescript-eslint").default ?? require("typescript-eslint");
const ts = require("typescript");
const plugin = require("eslint-plugin-ctxkit");
const { createProgram, ctxkitRules, realCodeFiles, realCodeOptions, ruleNames, typedConfig, REAL_CODE_PACKAGES } = require("../test/eslint-plugin/harness.ts");

const versionOf = (p) => JSON.parse(readFileSync(new URL(`../node_modules/${p}/package.json`, import.meta.url), "utf8")).version;
const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const runs = arg("runs", 7);
const every = arg("every", 5);

const byPackage = realCodeFiles(every);
const files = [...byPackage.values()].flat();
const texts = new Map(files.map((f) => [f, readFileSync(f, "utf8")]));
const names = ruleNames();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const now = () => performance.now();

const nfpConfig = [{ files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"], plugins: { "@typescript-eslint": tseslint.plugin } }];
const setups = {
  parse: (program) => typedConfig(program, {}),
  nfp: (program) => typedConfig(program, { "@typescript-eslint/no-floating-promises": "error" }, nfpConfig),
  ctxkit: (program) => typedConfig(program, ctxkitRules(names)),
};

/** One pass over every file: wall time, and ESLint's own per-rule and parse times (the `stats` option). */
function pass(config) {
  const linter = new Linter();
  const rules = {};
  let parse = 0, reports = 0;
  const t = now();
  const cpu0 = process.cpuUsage();
  for (const file of files) {
    // verifyAndFix is the entry point that keeps ESLint's per-file stats (fix: false, so one pass, as `eslint` runs).
    const { messages } = linter.verifyAndFix(texts.get(file), config, { filename: file, stats: true, fix: false });
    reports += messages.filter((m) => m.ruleId).length;
    const fatal = messages.find((m) => m.fatal);
    if (fatal) throw new Error(`${file}: ${fatal.message}`);
    for (const p of linter.getTimes().passes) {
      parse += p.parse?.total ?? 0;
      for (const [id, r] of Object.entries(p.rules ?? {})) rules[id] = (rules[id] ?? 0) + r.total;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this process: steadier than wall time when other work shares the cores.
  return { wall: now() - t, cpu: (cpu.user + cpu.system) / 1000, parse, rules, reports };
}

function freshProgram() {
  const t = now();
  const program = createProgram(files, realCodeOptions);
  program.getTypeChecker();
  return { program, ms: now() - t };
}

const loadBefore = os.loadavg()[0];
console.log(`${files.length} files (every ${every}), ${runs} runs; rules: ${names.join(", ")}`);

// Cold: a fresh program per pass, types computed by the rules on demand (their share of type checking included),
// as in an `eslint` run, where typescript-eslint builds the program and nothing checks it in advance. Three
// interleaved passes each; medians.
const coldRuns = { nfp: [], ctxkit: [] };
for (let i = 0; i < 3; i++) {
  for (const key of i % 2 ? ["ctxkit", "nfp"] : ["nfp", "ctxkit"]) {
    const { program } = freshProgram();
    const r = pass(setups[key](program));
    coldRuns[key].push({ wall: r.wall, rules: Object.values(r.rules).reduce((a, b) => a + b, 0) });
    console.log(`cold ${key}: ${Math.round(r.wall)} ms (rules ${Math.round(coldRuns[key].at(-1).rules)} ms)`);
  }
}
const cold = Object.fromEntries(Object.entries(coldRuns).map(([k, xs]) => [k, { wall: median(xs.map((x) => x.wall)), rules: median(xs.map((x) => x.rules)) }]));

// Warm: one program, fully type-checked up front (that cost is reported on its own), then interleaved passes.
const built = freshProgram();
const tc = now();
// Type-check the linted files (and, on demand, whatever they use): after this, the rules' type queries hit caches.
const diagnostics = files.reduce((n, f) => n + built.program.getSemanticDiagnostics(built.program.getSourceFile(f)).length, 0);
const typeCheckMs = now() - tc;
console.log(`program ${Math.round(built.ms)} ms, type check ${Math.round(typeCheckMs)} ms (${diagnostics} diagnostics)`);
// A fresh view per pass: the rules' per-program caches start empty each time (see the header).
const configFor = (key) => setups[key](new Proxy(built.program, {}));
pass(configFor("parse")); // warm-up: JIT, ESLint's caches
pass(configFor("ctxkit"));
pass(configFor("nfp"));
const samples = { parse: [], nfp: [], ctxkit: [] };
const ruleSamples = {};
let reports = {};
for (let i = 0; i < runs; i++) {
  for (const key of i % 2 ? ["ctxkit", "nfp", "parse"] : ["parse", "nfp", "ctxkit"]) {
    const r = pass(configFor(key));
    samples[key].push(r);
    reports[key] = r.reports;
    for (const [id, ms] of Object.entries(r.rules)) (ruleSamples[id] ??= []).push(ms);
  }
  console.log(`run ${i + 1}: ${Object.entries(samples).map(([k, s]) => `${k} ${Math.round(s.at(-1).wall)} ms (cpu ${Math.round(s.at(-1).cpu)})`).join(", ")}`);
}

const wall = (k) => median(samples[k].map((s) => s.wall));
const cpu = (k) => median(samples[k].map((s) => s.cpu));
const spread = (k) => `${ms(Math.min(...samples[k].map((s) => s.wall)))}–${ms(Math.max(...samples[k].map((s) => s.wall)))}`;
const ruleTotal = (k) => median(samples[k].map((s) => Object.values(s.rules).reduce((a, b) => a + b, 0)));
const parseMs = wall("parse");
const ctxkitOver = cpu("ctxkit") - cpu("parse");
const nfpOver = cpu("nfp") - cpu("parse");
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : "n/a");
const ms = (x) => `${Math.round(x)}`;

const versions = {
  eslint: versionOf("eslint"),
  "typescript-eslint": versionOf("typescript-eslint"),
  typescript: ts.version,
  "eslint-plugin-ctxkit": plugin.meta.version,
};
const corpus = REAL_CODE_PACKAGES.map((p) => `${p}@${versionOf(p)} (${byPackage.get(p).length})`).join(", ");
const lines = [
  `Machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores; Node ${process.version}; ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(", ")}; ${new Date().toISOString().slice(0, 10)}.`,
  "",
  `Corpus: ${files.length} .ts files (every ${every === 1 ? "" : `${every}-th `}file of ${corpus}), one program. Medians of ${runs} interleaved passes after a warm-up, on a program type-checked in advance (program build ${ms(built.ms)} ms, type check of the linted files ${ms(typeCheckMs)} ms, not in the figures below). Each pass lints through a fresh view of the program, so the rules' per-program caches start empty every pass, as in one \`eslint\` run.`,
  "",
  `Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end: wall times on a shared machine are noisy (see the min–max), so the comparison uses this process's CPU time and ESLint's per-rule times.`,
  "",
  "| pass | CPU ms (median) | CPU over parse-only ms | rule time ms (ESLint stats) | wall ms (median) | wall min–max | reports |",
  "|---|---:|---:|---:|---:|---:|---:|",
  `| parse only (typescript-eslint parser, programs, no rules) | ${ms(cpu("parse"))} | 0 | 0 | ${ms(parseMs)} | ${spread("parse")} | 0 |`,
  `| @typescript-eslint/no-floating-promises alone | ${ms(cpu("nfp"))} | ${ms(nfpOver)} | ${ms(ruleTotal("nfp"))} | ${ms(wall("nfp"))} | ${spread("nfp")} | ${reports.nfp} |`,
  `| all ${names.length} ctxkit rules (strict) | ${ms(cpu("ctxkit"))} | ${ms(ctxkitOver)} | ${ms(ruleTotal("ctxkit"))} | ${ms(wall("ctxkit"))} | ${spread("ctxkit")} | ${reports.ctxkit} |`,
  "",
  `**ctxkit ÷ no-floating-promises: ${ratio(ruleTotal("ctxkit"), ruleTotal("nfp"))} by ESLint's rule times** (target ≤ 1.0×); whole pass ${ratio(cpu("ctxkit"), cpu("nfp"))} by CPU time. (The CPU-over-parse-only column is within the passes' noise for a single cheap rule, so it gives no ratio.)`,
  "",
  `Cold, a fresh program per pass as in an \`eslint\` run (types computed on demand by the rules, so each pays its share of type checking; medians of 3 interleaved passes): rule time no-floating-promises ${ms(cold.nfp.rules)} ms, ctxkit ${ms(cold.ctxkit.rules)} ms (**${ratio(cold.ctxkit.rules, cold.nfp.rules)}**); whole pass ${ms(cold.nfp.wall)} ms vs ${ms(cold.ctxkit.wall)} ms (${ratio(cold.ctxkit.wall, cold.nfp.wall)}).`,
  "",
  "Per rule (median ms over the passes, ESLint `stats`):",
  "",
  "| rule | ms | share of ctxkit |",
  "|---|---:|---:|",
  ...Object.entries(ruleSamples)
    .filter(([id]) => id.startsWith("ctxkit/"))
    .map(([id, xs]) => [id, median(xs)])
    .sort((a, b) => b[1] - a[1])
    .map(([id, x]) => `| ${id} | ${x.toFixed(0)} | ${((100 * x) / ruleTotal("ctxkit")).toFixed(0)}% |`),
];

const section = lines.join("\n");
const file = new URL("./RESULTS.md", import.meta.url);
const begin = "<!-- bench:lint:start -->", end = "<!-- bench:lint:end -->";
let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\nWritten by the scripts in bench/; each owns its section.\n\n";
const block = `${begin}\n## Lint (\`npm run bench:lint\`)\n\n${section}\n${end}`;
text = text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), () => block) : `${text}\n${block}\n`;
writeFileSync(file, text);
console.log(section);
