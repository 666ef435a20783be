// The plugin under both ESLint majors and through the CLI: ESLint 10 (the `eslint-v10` alias devDependency)
// gives the same diagnostics as ESLint 9 for the recommended and strict configs; `eslint --concurrency=2` gives
// the same results as a single thread; the SARIF formatter the README's CI workflow uses works with the plugin.
// All on the lint showcase in examples/src/lint, which holds instances of every rule.
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ESLint as ESLint9 } from "eslint";
import tseslint from "typescript-eslint";
import plugin from "eslint-plugin-ctxkit";
import { repoRoot, ruleNames } from "./harness";

const showcase = "examples/src/lint";
const configFile = path.join(repoRoot, "examples/lint.config.mjs");
const bin9 = path.join(repoRoot, "node_modules/eslint/bin/eslint.js");
const bin10 = path.join(repoRoot, "node_modules/eslint-v10/bin/eslint.js");

interface Finding {
  file: string;
  line: number;
  column: number;
  ruleId: string | null;
  message: string;
}

type LintResult = Pick<ESLint9.LintResult, "filePath" | "messages">;

function findings(results: readonly LintResult[]): Finding[] {
  return results
    .flatMap((r) => r.messages.map((m) => ({ file: path.relative(repoRoot, r.filePath), line: m.line, column: m.column, ruleId: m.ruleId, message: m.message })))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || String(a.ruleId).localeCompare(String(b.ruleId)));
}

/** `eslint <args>` with one of the two binaries; the JSON results of `-f json`. */
function cli(bin: string, args: string[]): Finding[] {
  const r = spawnSync(process.execPath, [bin, "-c", configFile, "-f", "json", ...args, showcase], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 << 20 });
  assert.ok(r.status === 0 || r.status === 1, `eslint exited ${r.status}:\n${r.stderr}`);
  return findings(JSON.parse(r.stdout) as LintResult[]);
}

describe("eslint-plugin under ESLint 9 and 10, and through the CLI", function () {
  this.timeout(180_000);
  const eslint9 = require("eslint") as typeof import("eslint");
  const eslint10 = require("eslint-v10") as typeof import("eslint");
  let reference: Finding[];

  before(async function () {
    this.timeout(180_000);
    const eslint = new eslint9.ESLint({ cwd: repoRoot, overrideConfigFile: configFile });
    reference = findings(await eslint.lintFiles([showcase]));
  });

  it("the versions are the ones under test, and `eslint` on PATH is the repo's ESLint 9", () => {
    assert.match(eslint9.ESLint.version, /^9\./);
    assert.ok(eslint9.ESLint.version >= "9.34", "--concurrency needs ESLint 9.34 or later");
    assert.match(eslint10.ESLint.version, /^10\./);
    // Both packages declare the `eslint` bin; an incremental npm install can link the alias's. `npm ci` links
    // ESLint 9's; relink with `ln -sf ../eslint/bin/eslint.js node_modules/.bin/eslint` if this fails.
    const onPath = execFileSync(path.join(repoRoot, "node_modules/.bin/eslint"), ["--version"], { encoding: "utf8" }).trim();
    assert.equal(onPath, `v${eslint9.ESLint.version}`);
  });

  it("the showcase has findings of every rule (ESLint 9)", () => {
    const fired = new Set(reference.map((f) => f.ruleId));
    assert.deepEqual(ruleNames().filter((n) => !fired.has(`ctxkit/${n}`)), [], "rules without an instance in examples/src/lint");
    assert.deepEqual(reference.filter((f) => f.ruleId === null), [], "no parse errors");
  });

  for (const preset of ["recommended", "strict"] as const) {
    it(`configs.${preset}: ESLint 10's ESLint class gives the same diagnostics as ESLint 9's`, async () => {
      const options = {
        cwd: repoRoot,
        overrideConfigFile: true,
        overrideConfig: [
          {
            files: ["**/*.ts"],
            languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: repoRoot } },
          },
          plugin.configs[preset],
        ],
      };
      const nine = findings(await new eslint9.ESLint(options as ESLint9.Options).lintFiles([showcase]));
      const ten = findings(await new eslint10.ESLint(options as ESLint9.Options).lintFiles([showcase]));
      assert.ok(nine.length > 0);
      assert.deepEqual(ten, nine);
      const ids = new Set(Object.keys(plugin.configs[preset].rules ?? {}));
      assert.ok(nine.every((f) => f.ruleId !== null && ids.has(f.ruleId)), `only ${preset} rules report`);
      if (preset === "strict") assert.deepEqual(nine, reference);
    });
  }

  it("ESLint 10's Linter with parserOptions.programs (the server's way) gives the same diagnostics", () => {
    const ts = require("typescript") as typeof import("typescript");
    const files = fs.readdirSync(path.join(repoRoot, showcase)).filter((f) => f.endsWith(".ts")).map((f) => path.join(repoRoot, showcase, f));
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, "examples/tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram({ rootNames: files, options: parsed.options });
    const linter = new eslint10.Linter({ cwd: repoRoot });
    const config = [
      { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser, parserOptions: { programs: [program] } } },
      plugin.configs.strict,
    ];
    const results = files.map((f) => ({ filePath: f, messages: linter.verify(fs.readFileSync(f, "utf8"), config as never, { filename: f }) }));
    assert.deepEqual(findings(results), reference);
  });

  it("`eslint --concurrency=2` gives the same results as `--concurrency=off` (ESLint 9 and 10 CLIs)", () => {
    const single = cli(bin9, ["--concurrency=off"]);
    assert.deepEqual(single, reference);
    assert.deepEqual(cli(bin9, ["--concurrency=2"]), single);
    assert.deepEqual(cli(bin10, ["--concurrency=2"]), single);
  });

  it("`eslint -f @microsoft/eslint-formatter-sarif` writes SARIF 2.1.0 with every finding and each rule's doc link", () => {
    const out = path.join(fs.mkdtempSync(path.join(require("node:os").tmpdir(), "ctxkit-sarif-")), "eslint.sarif");
    const r = spawnSync(process.execPath, [bin9, "-c", configFile, "-f", "@microsoft/eslint-formatter-sarif", "-o", out, showcase], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(r.status, 1, `findings make eslint exit 1:\n${r.stderr}`);
    const sarif = JSON.parse(fs.readFileSync(out, "utf8")) as {
      version: string;
      runs: { tool: { driver: { name: string; rules: { id: string; helpUri?: string; shortDescription?: { text: string } }[] } }; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    assert.equal(sarif.version, "2.1.0");
    const [run] = sarif.runs;
    assert.equal(run!.tool.driver.name, "ESLint");
    const results = run!.results.map((x) => `${x.ruleId}@${x.locations[0]!.physicalLocation.region.startLine}`).sort();
    assert.deepEqual(results, reference.map((f) => `${f.ruleId}@${f.line}`).sort());
    for (const rule of run!.tool.driver.rules) {
      const name = rule.id.replace(/^ctxkit\//, "");
      assert.equal(rule.helpUri, (plugin.rules[name]!.meta.docs as { url: string }).url);
      assert.ok(rule.shortDescription?.text);
    }
    assert.deepEqual(new Set(run!.tool.driver.rules.map((x) => x.id)), new Set(reference.map((f) => f.ruleId)));
  });
});
