// The plugin as a package: its default export's shape, the configs, each rule's metadata, schema errors for bad
// options, and the error a type-aware rule gives without type information. Generic over every rule.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Linter } from "eslint";
import tseslint from "typescript-eslint";
import plugin from "eslint-plugin-ctxkit";
import { rules as sourceRules } from "../../eslint-plugin/src/rules";
import { DOCS_BASE } from "../../eslint-plugin/src/util/createRule";
import { createProgram, ctxkitRules, lintFiles, repoRoot, ruleNames, typedConfig } from "./harness";

const pluginDir = path.join(repoRoot, "eslint-plugin");
const fixtureDir = path.join(repoRoot, "test/fixtures/eslint-plugin");
type AnyPlugin = NonNullable<Linter.Config["plugins"]>[string];
const brokenFile = path.join(fixtureDir, "broken.ts");
const brokenText = "export function f( {\n";
let program: ReturnType<typeof createProgram> | undefined;
/** One program for every rule's checks: the typed fixture, plus an in-memory file that does not parse. */
function sharedProgram(): ReturnType<typeof createProgram> {
  program ??= createProgram([path.join(fixtureDir, "file.ts"), brokenFile], { strict: true, noEmit: true, types: [] }, new Map([[brokenFile, brokenText]]));
  return program;
}

describe("eslint-plugin-ctxkit package", () => {
  const names = ruleNames();

  it("has at least one rule, and the built plugin has the same rules as the sources", () => {
    assert.ok(names.length > 0);
    assert.deepEqual(names, Object.keys(sourceRules).sort(), "eslint-plugin/dist is stale: run npm run build");
  });

  it("default export is { meta: { name, version }, rules, configs: { recommended, strict } } matching package.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(pluginDir, "package.json"), "utf8")) as { name: string; version: string };
    assert.deepEqual(Object.keys(plugin).sort(), ["configs", "meta", "rules"]);
    assert.deepEqual(plugin.meta, { name: pkg.name, version: pkg.version });
    assert.equal(pkg.name, "eslint-plugin-ctxkit");
    assert.deepEqual(Object.keys(plugin.configs).sort(), ["recommended", "strict"]);
  });

  for (const configName of ["recommended", "strict"] as const) {
    it(`configs.${configName} is a flat config with plugins { ctxkit } and only ctxkit/<rule> entries`, () => {
      const config = plugin.configs[configName];
      assert.equal(config.name, `ctxkit/${configName}`);
      assert.deepEqual(Object.keys(config.plugins ?? {}), ["ctxkit"]);
      assert.equal(config.plugins!.ctxkit, plugin as unknown);
      assert.ok(!("extends" in config) && !("env" in config), "no eslintrc keys in a flat config");
      const ids = Object.keys(config.rules ?? {});
      assert.ok(ids.length > 0, "the config turns on at least one rule");
      for (const id of ids) {
        assert.match(id, /^ctxkit\//);
        assert.ok(names.includes(id.slice("ctxkit/".length)), `${id} is not a rule of the plugin`);
      }
    });
  }

  it("strict turns on every rule and recommended is a subset of it, matching meta.docs.recommended", () => {
    const strict = plugin.configs.strict.rules ?? {};
    const recommended = plugin.configs.recommended.rules ?? {};
    assert.deepEqual(Object.keys(strict).sort(), names.map((n) => `ctxkit/${n}`));
    for (const [id, level] of Object.entries(recommended)) {
      assert.ok(id in strict, `${id} is in recommended but not in strict`);
      assert.notEqual(level, "off");
    }
    for (const name of names) {
      const flagged = (plugin.rules[name]!.meta.docs as { recommended?: boolean }).recommended === true;
      assert.equal(`ctxkit/${name}` in recommended, flagged, `${name}: recommended config vs meta.docs.recommended`);
    }
  });

  it("a flat config of both presets loads in real ESLint", () => {
    const linter = new Linter();
    for (const config of [plugin.configs.recommended, plugin.configs.strict]) {
      // No type information needed to load: with only disabled rules the presets must validate.
      const off = Object.fromEntries(Object.keys(config.rules ?? {}).map((id) => [id, "off" as const]));
      const messages = linter.verify("export {};\n", [{ files: ["**/*.ts"], ...(config as Linter.Config), rules: off }], { filename: path.join(fixtureDir, "x.ts") });
      assert.deepEqual(messages, []);
    }
  });

  for (const name of ruleNames()) {
    describe(`rule ${name}`, () => {
      const rule = plugin.rules[name]!;

      it("its file, doc and test are named after it", () => {
        assert.ok(fs.existsSync(path.join(pluginDir, "src/rules", `${name}.ts`)), `eslint-plugin/src/rules/${name}.ts`);
        assert.ok(fs.existsSync(path.join(pluginDir, "docs/rules", `${name}.md`)), `eslint-plugin/docs/rules/${name}.md`);
        assert.ok(fs.existsSync(path.join(repoRoot, "test/eslint-plugin/rules", `${name}.test.ts`)), `test/eslint-plugin/rules/${name}.test.ts`);
      });

      it("meta: type, description, requiresTypeChecking, docs.url pointing at its doc, messages", () => {
        const { meta } = rule;
        assert.ok(["problem", "suggestion", "layout"].includes(meta.type));
        const docs = meta.docs as { description?: string; url?: string; requiresTypeChecking?: boolean };
        assert.ok(docs.description && docs.description.length > 10, "a description");
        assert.equal(docs.requiresTypeChecking, true);
        assert.equal(docs.url, `${DOCS_BASE}${name}.md`);
        assert.ok(docs.url.startsWith("https://"));
        assert.ok(Object.keys(meta.messages).length > 0);
        for (const [id, text] of Object.entries(meta.messages as Record<string, string>)) assert.ok(text.length > 10, `message ${id}`);
        assert.ok(Array.isArray(meta.schema) ? meta.schema.length > 0 : typeof meta.schema === "object", "a JSON schema for its options");
      });

      it("rejects an unknown option with ESLint's schema error naming the rule and the option", () => {
        const linter = new Linter();
        const run = (options: unknown): void => {
          linter.verify("export {};\n", [{ files: ["**/*.ts"], plugins: { ctxkit: plugin as unknown as AnyPlugin }, rules: { [`ctxkit/${name}`]: ["error", options] } }], {
            filename: path.join(fixtureDir, "x.ts"),
          });
        };
        assert.throws(() => run({ noSuchOption: true }), (e: Error) => {
          assert.match(e.message, new RegExp(`ctxkit/${name}`));
          assert.match(e.message, /noSuchOption/);
          assert.match(e.message, /additional properties/);
          return true;
        });
        // ESLint's schema errors name the offending value (not its path) for a nested option.
        assert.throws(() => run({ contextTypes: [{ from: "nowhere", name: "X" }] }), (e: Error) => {
          assert.match(e.message, new RegExp(`ctxkit/${name}`));
          assert.match(e.message, /"nowhere" should be equal to one of the allowed values/);
          return true;
        });
        assert.throws(() => run({ contextTypes: "AbortSignal" }), /should be array/);
      });

      it("accepts its documented contextTypes option", () => {
        const program = sharedProgram();
        const contextTypes = [{ from: "global", name: "AbortSignal" }, { from: "package", package: "ctxkit", name: "Context" }, { from: "shape", properties: ["isCancellationRequested", "onCancellationRequested"] }];
        const config = typedConfig(program, { [`ctxkit/${name}`]: ["error", { contextTypes }] });
        const [result] = lintFiles([path.join(fixtureDir, "file.ts")], config);
        assert.equal(result!.crash, undefined, result!.crash);
        assert.deepEqual(result!.messages.filter((m) => m.fatal), []);
      });

      it("without type information fails with typescript-eslint's error that says how to enable it", () => {
        const linter = new Linter();
        const cases = [
          // typescript-eslint's parser without project/projectService/programs
          { languageOptions: { parser: tseslint.parser as Linter.Parser }, file: "x.ts", code: `import { withCancel } from "ctxkit";\nexport async function f(signal: AbortSignal) { withCancel(signal as never); await fetch("x"); }\n` },
          // ESLint's default parser on a .js file
          { languageOptions: {}, file: "x.js", code: `import { withCancel } from "ctxkit";\nexport async function f(signal) { withCancel(signal); await fetch("x"); }\n` },
        ];
        for (const { languageOptions, file, code } of cases) {
          const config: Linter.Config[] = [
            { files: ["**/*.ts", "**/*.js"], languageOptions, plugins: { ctxkit: plugin as unknown as AnyPlugin }, rules: ctxkitRules([name]) },
          ];
          assert.throws(() => linter.verify(code, config, { filename: path.join(fixtureDir, file) }), (e: Error) => {
            assert.match(e.message, new RegExp(`ctxkit/${name}`), "the error names the rule");
            assert.match(e.message, /requires type information/);
            assert.match(e.message, /parserOptions/);
            return true;
          });
        }
      });

      it("on code that does not parse gives ESLint's parse error, not a rule crash", () => {
        const [result] = lintFiles([brokenFile], typedConfig(sharedProgram(), ctxkitRules([name])), undefined, () => brokenText);
        assert.equal(result!.crash, undefined);
        assert.equal(result!.messages.length, 1);
        assert.equal(result!.messages[0]!.fatal, true);
        assert.equal(result!.messages[0]!.ruleId, null);
      });
    });
  }
});
