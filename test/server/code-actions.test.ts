/** Quick fixes from the rules' fixes and suggestions, "fix all", versioned edits and stale refusals (core class). */
import { strict as assert } from "node:assert";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeAction, FullDocumentDiagnosticReport, TextDocumentEdit, TextEdit } from "vscode-languageserver";
import { harness, PULL_CAPS, type Harness } from "./memoryClient";

const TWO_TODOS = `import { sleep, todo, type Context } from "ctxkit";
export async function f(ctx: Context): Promise<void> {
  await sleep(todo(), 5);
  await sleep(todo(), 6);
}
`;

function applyAction(text: string, action: CodeAction): string {
  const change = action.edit!.documentChanges![0] as TextDocumentEdit;
  return TextDocument.applyEdits(TextDocument.create("file:///x.ts", "typescript", 1, text), change.edits as TextEdit[]);
}

describe("server code actions", function () {
  this.timeout(60000);
  let h: Harness | undefined;
  afterEach(() => {
    h?.dispose();
    h = undefined;
  });

  async function actionsAt(line: number, context: { only?: string[] } = {}): Promise<CodeAction[]> {
    const uri = h!.ws.uri("src/a.ts");
    const report = (await h!.server.documentDiagnostic({ textDocument: { uri } })) as FullDocumentDiagnosticReport;
    const diagnostics = report.items.filter((d) => d.range.start.line === line);
    return h!.server.codeAction({ textDocument: { uri }, range: { start: { line, character: 0 }, end: { line, character: 0 } }, context: { diagnostics, ...context } });
  }

  it("offers a rule's fix as a preferred quick fix and resolves it to a versioned edit", async () => {
    h = await harness({ "src/a.ts": TWO_TODOS }, PULL_CAPS);
    h.open("src/a.ts");
    const actions = await actionsAt(2);
    const fix = actions.find((a) => a.title.startsWith("Fix: "));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.isPreferred, true);
    assert.equal(fix.edit, undefined, "the edit waits for codeAction/resolve");
    assert.equal(fix.diagnostics?.[0]?.code, "ctxkit/no-dropped-context");
    const resolved = await h.server.codeActionResolve(fix);
    const change = resolved.edit!.documentChanges![0] as TextDocumentEdit;
    assert.deepEqual(change.textDocument, { uri: h.ws.uri("src/a.ts"), version: 1 });
    assert.equal(applyAction(TWO_TODOS, resolved), TWO_TODOS.replace("sleep(todo(), 5)", "sleep(ctx, 5)"));
  });

  it("fixes all problems of one rule in the file in one edit", async () => {
    h = await harness({ "src/a.ts": TWO_TODOS }, PULL_CAPS);
    h.open("src/a.ts");
    const all = (await actionsAt(3)).find((a) => a.title === "Fix all ctxkit/no-dropped-context problems in this file");
    assert.ok(all);
    const fixed = applyAction(TWO_TODOS, await h.server.codeActionResolve(all));
    assert.equal(fixed, TWO_TODOS.replace("sleep(todo(), 5)", "sleep(ctx, 5)").replace("sleep(todo(), 6)", "sleep(ctx, 6)"));
    h.edit("src/a.ts", fixed);
    const after = (await h.server.documentDiagnostic({ textDocument: { uri: h.ws.uri("src/a.ts") } })) as FullDocumentDiagnosticReport;
    assert.deepEqual(after.items.filter((d) => d.code === "ctxkit/no-dropped-context"), []);
  });

  it("offers source.fixAll.ctxkit when asked for it", async () => {
    h = await harness({ "src/a.ts": TWO_TODOS }, PULL_CAPS);
    h.open("src/a.ts");
    const actions = await actionsAt(0, { only: ["source.fixAll"] });
    assert.deepEqual(actions.map((a) => a.kind), ["source.fixAll.ctxkit"]);
    assert.ok((await h.server.codeActionResolve(actions[0]!)).edit);
  });

  it("offers each suggestion of a rule as its own quick fix", async () => {
    const code = `import { sleep, todo, type Context } from "ctxkit";\nexport async function f(ctx: Context, other: Context): Promise<void> {\n  await sleep(todo(), 5);\n  void other;\n}\n`;
    h = await harness({ "src/a.ts": code }, PULL_CAPS);
    h.open("src/a.ts");
    const titles = (await actionsAt(2)).map((a) => a.title);
    assert.ok(titles.includes("Pass `ctx`."), titles.join(" | "));
  });

  it("gives no edit for an action of a version that is no longer current", async () => {
    h = await harness({ "src/a.ts": TWO_TODOS }, PULL_CAPS);
    h.open("src/a.ts");
    const fix = (await actionsAt(2)).find((a) => a.title.startsWith("Fix: "))!;
    h.edit("src/a.ts", TWO_TODOS + "// edited\n");
    const stale = await h.server.codeActionResolve(fix);
    assert.equal(stale.edit, undefined);
    assert.match(stale.disabled!.reason, /version 1; it is at version 2/);
  });

  it("computes the edits at once for a client without resolve support", async () => {
    const caps = { textDocument: { diagnostic: {}, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } } }, workspace: {} };
    h = await harness({ "src/a.ts": TWO_TODOS }, caps);
    h.open("src/a.ts");
    const fix = (await actionsAt(2)).find((a) => a.title.startsWith("Fix: "))!;
    assert.ok(fix.edit, "edit included");
    assert.equal(applyAction(TWO_TODOS, fix), TWO_TODOS.replace("sleep(todo(), 5)", "sleep(ctx, 5)"));
  });
});
