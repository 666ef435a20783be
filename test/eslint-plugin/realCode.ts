/**
 * Lint the real-code corpus (TypeScript sources of npm packages, see REAL_CODE_PACKAGES) with ctxkit rules and
 * type information. Used by real-code.test.ts and bench/lint.mjs; as a script it prints every report with its
 * source line, for review:
 *
 *     node --import tsx test/eslint-plugin/realCode.ts [--rules=a,b] [--json=out.json]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Linter } from "eslint";
import type ts from "typescript";
import { createProgram, ctxkitRules, lintFiles, realCodeFiles, realCodeOptions, repoRoot, ruleNames, typedConfig, type FileResult } from "./harness";

export interface RealCodeRun {
  program: ts.Program;
  files: Map<string, string[]>;
  results: FileResult[];
  programMs: number;
  lintMs: number;
}

export function buildRealCodeProgram(files = realCodeFiles()): { program: ts.Program; files: Map<string, string[]>; ms: number } {
  const t = performance.now();
  const program = createProgram([...files.values()].flat(), realCodeOptions);
  program.getTypeChecker();
  return { program, files, ms: performance.now() - t };
}

export function lintRealCode(rules: Linter.RulesRecord = ctxkitRules(ruleNames()), corpus = realCodeFiles()): RealCodeRun {
  const { program, files, ms } = buildRealCodeProgram(corpus);
  const t = performance.now();
  const results = lintFiles([...files.values()].flat(), typedConfig(program, rules));
  return { program, files, results, programMs: ms, lintMs: performance.now() - t };
}

/** The package a corpus file belongs to. */
export function packageOf(file: string): string {
  const rel = path.relative(path.join(repoRoot, "node_modules"), file).split(path.sep);
  return rel[0]!.startsWith("@") ? `${rel[0]}/${rel[1]}` : rel[0]!;
}

export interface Report {
  rule: string;
  package: string;
  file: string;
  line: number;
  column: number;
  message: string;
  source: string;
}

export function reportsOf(results: readonly FileResult[]): Report[] {
  const out: Report[] = [];
  for (const r of results) {
    if (r.messages.length === 0) continue;
    const lines = fs.readFileSync(r.file, "utf8").split("\n");
    for (const m of r.messages) {
      out.push({
        rule: m.ruleId ?? "(parse)",
        package: packageOf(r.file),
        file: path.relative(repoRoot, r.file),
        line: m.line,
        column: m.column,
        message: m.message,
        source: (lines[m.line - 1] ?? "").trim().slice(0, 160),
      });
    }
  }
  return out;
}

if (require.main === module) {
  const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const names = arg("rules")?.split(",") ?? ruleNames();
  const run = lintRealCode(ctxkitRules(names));
  const reports = reportsOf(run.results);
  const crashes = run.results.filter((r) => r.crash);
  console.log(`${run.results.length} files, program ${Math.round(run.programMs)} ms, lint ${Math.round(run.lintMs)} ms, ${crashes.length} crashes, ${reports.length} reports`);
  for (const c of crashes) console.log(`CRASH ${path.relative(repoRoot, c.file)}: ${c.crash!.split("\n").slice(0, 6).join("\n")}`);
  for (const r of reports.sort((a, b) => a.rule.localeCompare(b.rule) || a.file.localeCompare(b.file) || a.line - b.line)) {
    console.log(`${r.rule}  ${r.file}:${r.line}:${r.column}  ${r.message}\n    ${r.source}`);
  }
  const json = arg("json");
  if (json) fs.writeFileSync(json, JSON.stringify(reports, null, 2));
}
