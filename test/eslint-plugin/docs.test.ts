// Every rule has a doc, and every example in it says the truth: each ```ts block under a "❌ Incorrect" heading
// gets at least one report from its rule (alone, default options, typed, through real ESLint), and only from it;
// each block under "✅ Correct" gets none. All blocks of all docs share one TypeScript program (in-memory files in
// the fixture folder, so `ctxkit` resolves as a user's code would).
//
// A block may be linted with options: put `<!-- options: {"contextTypes": [...]} -->` on the line before its fence.
// An ❌ block whose lines carry a `// ❌` comment must be reported on exactly those lines (else: at least once).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { readmeRulesTable, renderRulesTable } from "./rulesTable";
import { createProgram, lintFiles, markdownTsBlocks, repoRoot, ruleNames, typedConfig, type FileResult } from "./harness";

const docsDir = path.join(repoRoot, "eslint-plugin/docs/rules");
const blockDir = path.join(repoRoot, "test/fixtures/eslint-plugin/docs-blocks");

type Expect = "reports" | "clean";

interface Example {
  rule: string;
  expect: Expect;
  heading: string;
  docLine: number;
  file: string;
  code: string;
  options?: unknown;
}

function expectationOf(heading: string): Expect | undefined {
  if (heading.includes("❌") || /\bincorrect\b/i.test(heading)) return "reports";
  if (heading.includes("✅") || /\bcorrect\b/i.test(heading)) return "clean";
  return undefined;
}

function optionsBefore(markdown: string, fenceLine: number): unknown {
  const previous = markdown.split("\n")[fenceLine - 2] ?? "";
  const m = /^<!--\s*options:\s*(.*?)\s*-->$/.exec(previous.trim());
  return m ? JSON.parse(m[1]!) : undefined;
}

function collectExamples(): Example[] {
  const out: Example[] = [];
  for (const rule of ruleNames()) {
    const docFile = path.join(docsDir, `${rule}.md`);
    if (!fs.existsSync(docFile)) continue;
    const markdown = fs.readFileSync(docFile, "utf8");
    markdownTsBlocks(markdown).forEach((block, i) => {
      const expect = expectationOf(block.heading);
      if (!expect) return;
      // A block without import/export would be a script sharing globals with every other block.
      const code = /^\s*(import|export)\b/m.test(block.code) ? block.code : `${block.code}export {};\n`;
      out.push({ rule, expect, heading: block.heading, docLine: block.line, file: path.join(blockDir, rule, `block-${i + 1}.ts`), code, options: optionsBefore(markdown, block.line) });
    });
  }
  return out;
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(repoRoot, "test/fixtures/eslint-plugin/tsconfig.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath));
  return { ...parsed.options, types: ["node"] };
}

function describeMessages(result: FileResult): string {
  return result.messages.map((m) => `  ${m.line}:${m.column} ${m.ruleId ?? "(no rule)"}: ${m.message}`).join("\n") || "  (none)";
}

describe("eslint-plugin docs", () => {
  for (const rule of ruleNames()) {
    it(`${rule} has a doc with a title, ❌ and ✅ examples, and an Options section`, () => {
      const docFile = path.join(docsDir, `${rule}.md`);
      assert.ok(fs.existsSync(docFile), `missing eslint-plugin/docs/rules/${rule}.md`);
      const markdown = fs.readFileSync(docFile, "utf8");
      assert.equal(markdown.split("\n")[0], `# ${rule}`, "the doc's title is the rule name");
      const blocks = markdownTsBlocks(markdown);
      assert.ok(blocks.some((b) => expectationOf(b.heading) === "reports"), "at least one ```ts block under a ❌ Incorrect heading");
      assert.ok(blocks.some((b) => expectationOf(b.heading) === "clean"), "at least one ```ts block under a ✅ Correct heading");
      assert.match(markdown, /^## Options/m, "an ## Options section");
    });
  }

  it("no doc describes a rule the plugin does not have", () => {
    const docs = fs.readdirSync(docsDir).filter((f) => f.endsWith(".md")).map((f) => f.slice(0, -3)).sort();
    assert.deepEqual(docs.filter((d) => !ruleNames().includes(d)), []);
  });

  describe("examples, linted with their rule alone", function () {
    this.timeout(120_000);
    const examples = collectExamples();
    let results: Map<string, FileResult>;

    before(() => {
      const virtual = new Map(examples.map((e) => [e.file, e.code]));
      const program = createProgram([...virtual.keys()], compilerOptions(), virtual);
      results = new Map();
      for (const e of examples) {
        const entry = e.options === undefined ? ("error" as const) : (["error", e.options] as ["error", unknown]);
        const [result] = lintFiles([e.file], typedConfig(program, { [`ctxkit/${e.rule}`]: entry }), undefined, () => e.code);
        results.set(e.file, result!);
      }
    });

    it("found examples in the docs", () => {
      assert.ok(examples.length >= 2 * ruleNames().filter((r) => fs.existsSync(path.join(docsDir, `${r}.md`))).length);
    });

    for (const e of examples) {
      const where = `docs/rules/${e.rule}.md:${e.docLine} (${e.heading})`;
      it(`${where} ${e.expect === "reports" ? "is reported" : "is clean"}`, () => {
        const result = results.get(e.file)!;
        assert.equal(result.crash, undefined, `the rule crashed on ${where}:\n${result.crash}`);
        const foreign = result.messages.filter((m) => m.ruleId !== `ctxkit/${e.rule}`);
        assert.deepEqual(foreign.map((m) => `${m.line}:${m.column} ${m.message}`), [], `${where} has parse errors or other reports:\n${describeMessages(result)}`);
        if (e.expect === "reports") {
          assert.ok(result.messages.length > 0, `${where} claims to be incorrect, but ctxkit/${e.rule} reports nothing on:\n${e.code}`);
          const marked = e.code.split("\n").flatMap((l, i) => (/\/\/\s*❌/.test(l) ? [i + 1] : []));
          if (marked.length > 0) {
            const reported = [...new Set(result.messages.map((m) => m.line))].sort((a, b) => a - b);
            assert.deepEqual(reported, marked, `${where}: reported lines vs the lines marked // ❌:\n${describeMessages(result)}`);
          }
        } else {
          assert.equal(result.messages.length, 0, `${where} claims to be correct, but ctxkit/${e.rule} reports:\n${describeMessages(result)}\non:\n${e.code}`);
        }
      });
    }
  });

  it("eslint-plugin/README.md's rules table lists every rule with its description, recommended flag and fixes", () => {
    const table = readmeRulesTable();
    assert.ok(table !== undefined, "README has <!-- rules:start --> … <!-- rules:end --> around the rules table");
    const listed = [...table.matchAll(/^\| \[`([^`]+)`\]\(docs\/rules\/([^)]+)\.md\)/gm)].map((m) => (m[1] === m[2] ? m[1] : `${m[1]} -> ${m[2]}`));
    assert.deepEqual(listed, ruleNames(), "the table lists exactly the plugin's rules, each linking its doc");
    assert.equal(table, renderRulesTable(), "the table is stale: run `node --import tsx test/eslint-plugin/rulesTable.ts --write` after `npm run build`");
  });
});
