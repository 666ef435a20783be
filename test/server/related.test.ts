/**
 * Related information: a rule that names the context in scope in its report `data` (`data.contextNode`: an ESTree
 * node, a location, or a TypeScript node, possibly in another file) gets it as the diagnostic's relatedInformation.
 * A real rule run by the real Linter on a real program; the rule is the test's own, as no plugin rule sets it yet.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import ts from "typescript";
import type { Rule } from "eslint";
import { toDiagnostic } from "../../server/src/diagnostics";
import { pathToUri } from "../../server/src/documents";
import { LintEngine } from "../../server/src/lint";
import { tempWorkspace } from "./workspace";

describe("server related information", function () {
  this.timeout(60000);

  it("turns data.contextNode (ESTree or TypeScript node) into relatedInformation", () => {
    const ws = tempWorkspace({
      "src/ctx.ts": `export const shared = { name: "shared" };\n`,
      "src/a.ts": `import { shared } from "./ctx.js";\nexport function f(ctx: string): void {\n  g();\n  void shared;\n}\nfunction g(): void {}\n`,
    });
    try {
      const file = ws.file("src/a.ts");
      const program = ts.createProgram([file, ws.file("src/ctx.ts")], { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true });
      const sharedDecl = program.getSourceFile(ws.file("src/ctx.ts"))!.statements[0]!;
      const rule: Rule.RuleModule = {
        meta: { type: "problem", schema: [], messages: { m: "call without {{name}}" } },
        create(context) {
          return {
            CallExpression(node) {
              const fn = context.sourceCode.getAncestors(node).find((n) => n.type === "FunctionDeclaration");
              const param = fn && fn.type === "FunctionDeclaration" ? fn.params[0] : undefined;
              context.report({ node, messageId: "m", data: { name: "ctx", contextNode: param as never, sharedNode: sharedDecl as never } });
            },
          };
        },
      };
      const engine = new LintEngine({ "ctxkit/test-rule": "warn" }, { "test-rule": rule as never });
      const text = ts.sys.readFile(file)!;
      const outcome = engine.lint(program, file, text);
      assert.equal(outcome.failure, undefined);
      assert.equal(outcome.problems.length, 1);
      const d = toDiagnostic(outcome.problems[0]!, 0, pathToUri(file), 1, path.normalize(file));
      assert.equal(d.message, "call without ctx");
      const related = d.relatedInformation!;
      assert.equal(related.length, 2, JSON.stringify(related));
      assert.equal(related[0]!.message, "the context in scope");
      assert.equal(related[0]!.location.uri, pathToUri(file));
      assert.deepEqual(related[0]!.location.range, { start: { line: 1, character: 18 }, end: { line: 1, character: 29 } });
      assert.equal(related[1]!.message, "shared");
      assert.equal(related[1]!.location.uri, pathToUri(ws.file("src/ctx.ts")));
      assert.deepEqual(related[1]!.location.range.start, { line: 0, character: 0 });
    } finally {
      ws.remove();
    }
  });
});
