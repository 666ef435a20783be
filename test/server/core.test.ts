/**
 * The core class driven directly (no connection): settings, pull vs push, cross-file re-checks, tsconfig recovery,
 * cancellation. Real TypeScript programs and the plugin's real rules through ESLint's Linter.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { CancellationTokenSource, DiagnosticSeverity, FileChangeType, DocumentDiagnosticReportKind, type Diagnostic, type FullDocumentDiagnosticReport } from "vscode-languageserver";
import { TextSnapshot } from "../../server/src/projects";
import { TSCONFIG } from "./workspace";
import { harness, PULL_CAPS, PUSH_CAPS, until, type Harness } from "./memoryClient";

const HEAD = `import { withTimeout, type Context } from "ctxkit";\n`;
const DISCARDED = HEAD + `export function f(p: Context): void {\n  withTimeout(p, 10);\n}\n`;
const CLEAN = HEAD + `export function f(p: Context): void {\n  using s = withTimeout(p, 10);\n  void s;\n}\n`;

async function pull(h: Harness, rel: string, previousResultId?: string): Promise<FullDocumentDiagnosticReport | { kind: "unchanged"; resultId: string }> {
  return (await h.server.documentDiagnostic({ textDocument: { uri: h.ws.uri(rel) }, previousResultId })) as never;
}

/** Tells the server that `rel` changed on disk, then waits until it has pushed diagnostics again and is idle. */
async function diskChange(h: Harness, rel: string, type: FileChangeType, what: string): Promise<void> {
  const pushes = h.client.published.length;
  h.server.didChangeWatchedFiles({ changes: [{ uri: h.ws.uri(rel), type }] });
  await until(() => h.client.published.length > pushes, what);
  await h.server.idle();
}

async function pullItems(h: Harness, rel: string): Promise<Diagnostic[]> {
  const report = await pull(h, rel);
  assert.equal(report.kind, DocumentDiagnosticReportKind.Full);
  return (report as FullDocumentDiagnosticReport).items;
}

describe("server core", function () {
  this.timeout(60000);
  let h: Harness | undefined;
  afterEach(() => {
    h?.dispose();
    h = undefined;
  });

  it("pulls ctxkit diagnostics with rule id, doc link and source, and answers unchanged for the same result", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PULL_CAPS);
    assert.equal(h.server.pullMode, true);
    h.open("src/a.ts");
    const report = await pull(h, "src/a.ts");
    assert.equal(report.kind, "full");
    const items = (report as FullDocumentDiagnosticReport).items;
    assert.equal(items.length, 1, JSON.stringify(items));
    const [d] = items;
    assert.equal(d!.code, "ctxkit/require-cancel");
    assert.equal(d!.source, "ctxkit");
    assert.equal(d!.severity, DiagnosticSeverity.Warning);
    assert.match(d!.codeDescription!.href, /eslint-plugin\/docs\/rules\/require-cancel\.md$/);
    assert.deepEqual(d!.range.start, { line: 2, character: 2 });
    const again = await pull(h, "src/a.ts", (report as FullDocumentDiagnosticReport).resultId);
    assert.equal(again.kind, "unchanged");
    assert.equal(h.client.published.length, 0, "nothing is pushed to a client that pulls");
  });

  it("pushes diagnostics to a client without pull support (Neovim 0.7) and clears them on close", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PUSH_CAPS);
    assert.equal(h.server.pullMode, false);
    h.open("src/a.ts");
    const uri = h.ws.uri("src/a.ts");
    const first = await until(() => h!.client.lastFor(uri), "pushed diagnostics");
    assert.equal(first.diagnostics.length, 1);
    assert.equal(first.version, 1);
    h.edit("src/a.ts", CLEAN);
    await until(() => h!.client.lastFor(uri)?.version === 2, "diagnostics of version 2");
    assert.equal(h.client.lastFor(uri)!.diagnostics.length, 0);
    h.close("src/a.ts");
    const last = h.client.lastFor(uri)!;
    assert.equal(last.diagnostics.length, 0);
    assert.equal(last.version, undefined);
  });

  it("applies rule severities and options from didChangeConfiguration without a restart", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PULL_CAPS);
    h.open("src/a.ts");
    assert.equal((await pullItems(h, "src/a.ts")).length, 1);
    const refreshes = h.client.refreshes;
    h.client.settings = { rules: { "ctxkit/require-cancel": "error" } };
    await h.server.didChangeConfiguration({ settings: null });
    await until(() => h!.client.refreshes > refreshes, "a diagnostic refresh");
    assert.equal((await pullItems(h, "src/a.ts"))[0]!.severity, DiagnosticSeverity.Error);
    await h.server.didChangeConfiguration({ settings: { ctxkit: { rules: { "require-cancel": "off" } } } });
    assert.deepEqual(await pullItems(h, "src/a.ts"), []);
    await h.server.didChangeConfiguration({ settings: { ctxkit: { enable: false, rules: { "require-cancel": "error" } } } });
    assert.deepEqual(await pullItems(h, "src/a.ts"), []);
  });

  it("reports a setting of the wrong type once, clearly, and falls back to the defaults", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PULL_CAPS, { settings: { enable: "yes", rules: { "require-cancel": 3, "no-such-rule": "warn" }, contextTypes: "AbortSignal" } });
    const texts = h.client.shown.map((s) => s.message);
    assert.ok(texts.some((t) => /ctxkit\.enable must be true or false, got string "yes"/.test(t)), texts.join("\n"));
    assert.ok(texts.some((t) => /ctxkit\.rules\["require-cancel"\] must be "off", "warn", "error"/.test(t)), texts.join("\n"));
    assert.ok(texts.some((t) => /there is no rule "no-such-rule"/.test(t)), texts.join("\n"));
    assert.ok(texts.some((t) => /ctxkit\.contextTypes must be an array/.test(t)), texts.join("\n"));
    h.open("src/a.ts");
    const items = await pullItems(h, "src/a.ts");
    assert.equal(items.length, 1, "defaults: enabled, require-cancel on");
    const shown = h.client.shown.length;
    await h.server.didChangeConfiguration({ settings: null });
    assert.equal(h.client.shown.length, shown, "the same problem is not shown twice");
    assert.equal(h.client.statuses.at(-1)?.state, "warning");
  });

  it("refuses rule options that do not match the rule's schema, keeping the rule on", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PULL_CAPS, { settings: { rules: { "require-cancel": ["error", { bogus: true }] } } });
    assert.ok(h.client.shown.some((s) => /require-cancel"\] has invalid options .*bogus/.test(s.message)), JSON.stringify(h.client.shown));
    h.open("src/a.ts");
    assert.equal((await pullItems(h, "src/a.ts"))[0]?.severity, DiagnosticSeverity.Error);
  });

  it("re-checks the open files that depend on a changed file (push)", async () => {
    const a = `import type { Context } from "ctxkit";\nimport { withTimeout } from "./b.js";\nexport function f(p: Context): void {\n  withTimeout(p, 10);\n}\n`;
    const mid = `export { withTimeout } from "./b.js";\n`;
    h = await harness({ "src/a.ts": a, "src/b.ts": `export { withTimeout } from "ctxkit";\n`, "src/c.ts": mid, "src/unrelated.ts": DISCARDED }, PUSH_CAPS);
    h.open("src/a.ts");
    h.open("src/b.ts");
    h.open("src/unrelated.ts");
    const uriA = h.ws.uri("src/a.ts");
    await until(() => h!.client.lastFor(uriA), "diagnostics of a.ts");
    await h.server.idle();
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 1, "ctxkit's withTimeout through b.ts");
    const pushesOfUnrelated = h.client.published.filter((p) => p.uri === h!.ws.uri("src/unrelated.ts")).length;
    const lints = h.server.stats.lints;
    h.edit("src/b.ts", `export function withTimeout(_p: unknown, _ms: number): void {}\n`);
    await until(() => h!.client.published.filter((p) => p.uri === uriA).length >= 2, "a.ts re-checked after b.ts changed");
    await h.server.idle();
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 0, "no stale cross-file diagnostic");
    assert.equal(h.client.published.filter((p) => p.uri === h!.ws.uri("src/unrelated.ts")).length, pushesOfUnrelated, "files that do not import b.ts are not re-checked");
    assert.equal(h.server.stats.lints - lints, 2, "b.ts and a.ts");
  });

  it("re-checks open files when a file they import changes or is removed on disk (didChangeWatchedFiles)", async () => {
    const a = `import type { Context } from "ctxkit";\nimport { withTimeout } from "./b.js";\nexport function f(p: Context): void {\n  withTimeout(p, 10);\n}\n`;
    h = await harness({ "src/a.ts": a, "src/b.ts": `export function withTimeout(_p: unknown, _ms: number): void {}\n` }, PUSH_CAPS);
    h.open("src/a.ts");
    const uriA = h.ws.uri("src/a.ts");
    await until(() => h!.client.lastFor(uriA), "diagnostics of a.ts");
    await h.server.idle();
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 0, "b.ts's own withTimeout is not ctxkit's");
    h.ws.write("src/b.ts", `export { withTimeout } from "ctxkit";\n`);
    const stamp = new Date(Date.now() + 5000);
    fs.utimesSync(h.ws.file("src/b.ts"), stamp, stamp);
    await diskChange(h, "src/b.ts", FileChangeType.Changed, "a.ts re-checked after b.ts changed on disk");
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 1, "now ctxkit's withTimeout, through b.ts on disk");
    fs.rmSync(h.ws.file("src/b.ts"));
    await diskChange(h, "src/b.ts", FileChangeType.Deleted, "a.ts re-checked after b.ts was removed");
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 0, "an unresolved import is no ctxkit call");
  });

  it("resolves an import again once its file exists: created on disk, or opened unsaved in the editor", async () => {
    // Module resolutions are cached across programs; a cached failure must not outlive the missing file.
    const a = `import type { Context } from "ctxkit";\nimport { withTimeout } from "./b.js";\nexport function f(p: Context): void {\n  withTimeout(p, 10);\n}\n`;
    const b = `export { withTimeout } from "ctxkit";\n`;
    h = await harness({ "src/a.ts": a }, PUSH_CAPS);
    h.open("src/a.ts");
    const uriA = h.ws.uri("src/a.ts");
    await until(() => h!.client.lastFor(uriA), "diagnostics of a.ts");
    await h.server.idle();
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 0, "./b.js does not resolve yet");
    h.ws.write("src/b.ts", b);
    await diskChange(h, "src/b.ts", FileChangeType.Created, "a.ts re-checked after b.ts was created");
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 1, "ctxkit's withTimeout through the new b.ts");
    fs.rmSync(h.ws.file("src/b.ts"));
    await diskChange(h, "src/b.ts", FileChangeType.Deleted, "a.ts re-checked after b.ts was removed");
    assert.equal(h.client.lastFor(uriA)!.diagnostics.length, 0, "unresolved again");
    // An editor buffer for a file not on disk: the programs see it once it is open.
    h.server.didOpen({ textDocument: { uri: h.ws.uri("src/b.ts"), languageId: "typescript", version: 1, text: b } });
    h.edit("src/a.ts", `${a}// edited\n`);
    await until(() => h!.client.lastFor(uriA)?.diagnostics.length === 1, "a.ts sees the unsaved b.ts");
  });

  it("asks a pulling client to refresh when a dependency of an open file changes", async () => {
    const a = `import type { Context } from "ctxkit";\nimport { withTimeout } from "./b.js";\nexport function f(p: Context): void {\n  withTimeout(p, 10);\n}\n`;
    h = await harness({ "src/a.ts": a, "src/b.ts": `export { withTimeout } from "ctxkit";\n` }, PULL_CAPS);
    h.open("src/a.ts");
    h.open("src/b.ts");
    assert.equal((await pullItems(h, "src/a.ts")).length, 1);
    await pullItems(h, "src/b.ts");
    const refreshes = h.client.refreshes;
    h.edit("src/b.ts", `export function withTimeout(_p: unknown, _ms: number): void {}\n`);
    await until(() => h!.client.refreshes > refreshes, "workspace/diagnostic/refresh");
    assert.deepEqual(await pullItems(h, "src/a.ts"), []);
  });

  it("gives one clear message for a broken tsconfig, keeps checking, and recovers when it is fixed", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PUSH_CAPS);
    h.ws.write("tsconfig.json", `{ "compilerOptions": { "strict": true, }, "include": ["src"] oops }`);
    h.open("src/a.ts");
    const uri = h.ws.uri("src/a.ts");
    await until(() => h!.client.lastFor(uri), "diagnostics despite the broken tsconfig");
    await h.server.idle();
    const broken = h.client.shown.filter((s) => s.message.includes("tsconfig.json cannot be read"));
    assert.equal(broken.length, 1, JSON.stringify(h.client.shown));
    assert.equal(h.client.lastFor(uri)!.diagnostics.length, 1);
    assert.equal(h.client.statuses.at(-1)?.state, "warning");
    h.edit("src/a.ts", DISCARDED + "\n");
    await until(() => h!.client.lastFor(uri)?.version === 2, "version 2");
    assert.equal(h.client.shown.filter((s) => s.message.includes("cannot be read")).length, 1, "shown once");
    // Fixed on disk; a client without file watching still recovers on the next check.
    h.ws.write("tsconfig.json", TSCONFIG);
    const stamp = new Date(Date.now() + 5000);
    fs.utimesSync(h.ws.file("tsconfig.json"), stamp, stamp);
    h.edit("src/a.ts", DISCARDED);
    await until(() => h!.client.lastFor(uri)?.version === 3, "version 3");
    await h.server.idle();
    assert.equal(h.client.lastFor(uri)!.diagnostics.length, 1);
    assert.equal(h.client.statuses.at(-1)?.state, "ok");
    assert.ok(h.client.logs.some((l) => /is readable again/.test(l.message)));
  });

  it("checks files outside every tsconfig in an inferred project", async () => {
    h = await harness({ "loose/a.ts": DISCARDED }, PULL_CAPS, { tsconfig: null });
    h.open("loose/a.ts");
    const items = await pullItems(h, "loose/a.ts");
    assert.equal(items.length, 1);
    assert.equal(items[0]!.code, "ctxkit/require-cancel");
  });

  it("stops the work of a cancelled request: no lint runs, the answer is RequestCancelled", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PULL_CAPS);
    h.open("src/a.ts");
    const lints = h.server.stats.lints;
    const source = new CancellationTokenSource();
    const pending = h.server.documentDiagnostic({ textDocument: { uri: h.ws.uri("src/a.ts") } }, source.token);
    source.cancel(); // arrives while the request waits at its first checkpoint, as a $/cancelRequest would
    await assert.rejects(pending, (e: { code?: number; data?: unknown }) => e.code === -32800 && JSON.stringify(e.data) === '{"retriggerRequest":true}');
    assert.equal(h.server.stats.lints, lints);
    assert.equal(h.server.stats.cancelled, 1);
    assert.equal((await pullItems(h, "src/a.ts")).length, 1, "the next request works" + JSON.stringify(h.client.logs));
  });

  it("recovers when TypeScript's incremental parse throws: the file is parsed from scratch, diagnostics keep coming", async () => {
    h = await harness({ "src/a.ts": CLEAN }, PULL_CAPS, { settings: { trace: { server: "verbose" } } });
    h.open("src/a.ts");
    assert.equal((await pullItems(h, "src/a.ts")).length, 0);
    // One wrong change range (as a parser bug on odd input would leave): TypeScript's incremental parser asserts, and
    // the old tree is marked as re-parsed, so every later incremental parse from it would fail the same way.
    const original = TextSnapshot.prototype.getChangeRange;
    let broken = 0;
    TextSnapshot.prototype.getChangeRange = function (this: TextSnapshot, old) {
      const fresh = (this as unknown as { fresh: boolean }).fresh;
      if (!fresh && broken++ === 0) return { span: { start: this.text.length + 50, length: 7 }, newLength: 3 };
      return original.call(this, old);
    };
    try {
      h.edit("src/a.ts", DISCARDED);
      const items = await pullItems(h, "src/a.ts");
      assert.equal(broken, 1, "the broken range was handed to TypeScript");
      assert.deepEqual(items.map((d) => d.code), ["ctxkit/require-cancel"], JSON.stringify(h.client.logs));
      h.edit("src/a.ts", CLEAN);
      assert.deepEqual(await pullItems(h, "src/a.ts"), [], "the next edit is parsed (incrementally again) too");
    } finally {
      TextSnapshot.prototype.getChangeRange = original;
    }
  });

  it("answers requests about unknown or unopened documents with empty results instead of errors", async () => {
    h = await harness({ "src/a.ts": DISCARDED }, PULL_CAPS);
    assert.deepEqual(await pullItems(h, "src/a.ts"), []);
    assert.deepEqual(await h.server.codeAction({ textDocument: { uri: "untitled:Untitled-1" }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }), []);
    const report = await h.server.documentDiagnostic({ textDocument: { uri: "not a uri" } });
    assert.deepEqual(report, { kind: "full", items: [] });
  });
});
