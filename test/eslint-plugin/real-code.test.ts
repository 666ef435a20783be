// Real TypeScript that nobody here wrote: the sources of several npm packages (pinned devDependencies, see
// REAL_CODE_PACKAGES in harness.ts), linted with every ctxkit rule (the strict config) and full type
// information from one program. No rule may crash on any file. What the rules report there is reviewed in
// real-code.md; print it with `node --import tsx test/eslint-plugin/realCode.ts`.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { REAL_CODE_PACKAGES, realCodeFiles, repoRoot, ruleNames } from "./harness";
import { lintRealCode, packageOf, reportsOf, type RealCodeRun } from "./realCode";

describe("ctxkit rules on real code from npm", function () {
  this.timeout(240_000);
  let run: RealCodeRun;

  before(function () {
    this.timeout(240_000);
    // Every other file by default keeps the suite within a few minutes on two cores; CTXKIT_REAL_CODE_EVERY=1
    // lints the whole corpus (the review in real-code.md is of the whole corpus).
    run = lintRealCode(undefined, realCodeFiles(Number(process.env.CTXKIT_REAL_CODE_EVERY ?? 2)));
  });

  it("the corpus is installed and ships TypeScript sources", () => {
    for (const pkg of REAL_CODE_PACKAGES) {
      const files = run.files.get(pkg) ?? [];
      assert.ok(files.length > 0, `${pkg} has no .ts sources under node_modules/${pkg}/src (npm ci?)`);
    }
    assert.ok([...run.files.values()].flat().length > 300, "a corpus of several hundred files");
  });

  it("the program resolves the packages' imports (type information is real, not `any` everywhere)", () => {
    // Ask the checker for the module of every import: cheap, unlike a full type check.
    const checker = run.program.getTypeChecker();
    const unresolved: string[] = [];
    let imports = 0;
    for (const file of [...run.files.values()].flat()) {
      const sf = run.program.getSourceFile(file)!;
      for (const st of sf.statements) {
        if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
        imports++;
        if (!checker.getSymbolAtLocation(st.moduleSpecifier)) unresolved.push(`${path.relative(repoRoot, file)}: ${st.moduleSpecifier.text}`);
      }
    }
    assert.ok(imports > 500);
    assert.ok(unresolved.length < imports * 0.01, `${unresolved.length} of ${imports} imports unresolved:\n${unresolved.slice(0, 30).join("\n")}`);
  });

  for (const pkg of REAL_CODE_PACKAGES) {
    it(`no rule crashes on any file of ${pkg}`, () => {
      const crashed = run.results.filter((r) => packageOf(r.file) === pkg && r.crash);
      assert.deepEqual(
        crashed.map((r) => `${path.relative(repoRoot, r.file)}: ${r.crash!.split("\n").slice(0, 8).join("\n")}`),
        [],
      );
      const fatal = run.results.filter((r) => packageOf(r.file) === pkg).flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${r.file}: ${m.message}`));
      assert.deepEqual(fatal, [], "every file parses");
    });
  }

  it("every report is a ctxkit rule's, with a location inside the file", () => {
    const known = new Set(ruleNames().map((n) => `ctxkit/${n}`));
    for (const r of run.results) {
      const lineCount = fs.readFileSync(r.file, "utf8").split("\n").length;
      for (const m of r.messages) {
        assert.ok(m.ruleId && known.has(m.ruleId), `${r.file}:${m.line}: ${m.ruleId}: ${m.message}`);
        assert.ok(m.line >= 1 && m.line <= lineCount && m.column >= 1, `${r.file}: location ${m.line}:${m.column}`);
        if (m.endLine !== undefined) assert.ok(m.endLine >= m.line && m.endLine <= lineCount);
      }
    }
  });

  after(() => {
    if (!run) return;
    const reports = reportsOf(run.results);
    const byRule = new Map<string, number>();
    for (const r of reports) byRule.set(r.rule, (byRule.get(r.rule) ?? 0) + 1);
    const summary = ruleNames().map((n) => `${n} ${byRule.get(`ctxkit/${n}`) ?? 0}`).join(", ");
    console.log(`\n      real code: ${run.results.length} files, program ${Math.round(run.programMs)} ms, lint ${Math.round(run.lintMs)} ms; reports: ${summary}`);
  });
});
