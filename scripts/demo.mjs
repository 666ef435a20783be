// The ctxkit demo: runs the example service twice — once with a deadline shorter than the downstream
// calls (every branch must be cancelled) and once with enough time (every branch must answer).
// Exits non-zero if cancellation did not reach every branch.
// Then lints the showcase in examples/src/lint with eslint-plugin-ctxkit and prints the findings (they are
// there on purpose); exits non-zero only if a rule of the plugin has no instance there.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const r = spawnSync(process.execPath, ["--import", "tsx", "examples/src/demo.ts"], { cwd: root, stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);

const require = createRequire(import.meta.url);
const { ESLint } = require("eslint");
const plugin = require("eslint-plugin-ctxkit");
console.log("\nlinting examples/src/lint with eslint-plugin-ctxkit (strict; these findings are the point):");
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, "examples/lint.config.mjs") });
const results = await eslint.lintFiles(["examples/src/lint"]);
console.log((await eslint.loadFormatter("stylish")).format(results));
const fired = new Set(results.flatMap((f) => f.messages.map((m) => m.ruleId)));
const silent = Object.keys(plugin.rules).filter((name) => !fired.has(`ctxkit/${name}`));
if (results.some((f) => f.messages.some((m) => m.fatal))) {
  console.error("FAIL: the showcase does not parse");
  process.exit(1);
}
if (silent.length) {
  console.error(`FAIL: no instance of ${silent.map((n) => `ctxkit/${n}`).join(", ")} in examples/src/lint; add one`);
  process.exit(1);
}
console.log(`OK: every rule (${fired.size}) fired on the showcase.`);
