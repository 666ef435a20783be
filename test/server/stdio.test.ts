/**
 * The built server over real stdio JSON-RPC (dist/server.js): initialize, didOpen a file of examples/, diagnostics
 * of the ctxkit rules (pulled and pushed), codeAction, codeAction/resolve, errors for bad input, shutdown/exit.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { LspProcess, SERVER_JS, type RpcMessage } from "./lspProcess";
import { PULL_CAPS, PUSH_CAPS } from "./memoryClient";
import { REPO, tempWorkspace, type TempWorkspace } from "./workspace";

interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  code: string;
  source: string;
  message: string;
  codeDescription?: { href: string };
}
interface Action {
  title: string;
  kind?: string;
  data?: unknown;
  edit?: { documentChanges: { textDocument: { uri: string; version: number }; edits: { range: Diag["range"]; newText: string }[] }[] };
  disabled?: { reason: string };
}

/** examples/src/service.ts, with `profile` passing `todo()` to `downstream` although `ctx` is in scope. */
function exampleWithDroppedContext(): string {
  const text = fs.readFileSync(path.join(REPO, "examples", "src", "service.ts"), "utf8");
  const changed = text
    .replace('import { sleep, withTimeout, type Context } from "ctxkit";', 'import { sleep, todo, withTimeout, type Context } from "ctxkit";')
    .replace("downstream(ctx, branch, ms)", "downstream(todo(), branch, ms)");
  assert.ok(changed.includes("downstream(todo(), branch, ms)") && changed.includes("sleep, todo, withTimeout"), "examples/src/service.ts no longer has the lines this test edits");
  return changed;
}

function applyEdits(text: string, edits: { range: Diag["range"]; newText: string }[]): string {
  const offset = (p: { line: number; character: number }): number => {
    const lines = text.split("\n");
    return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const e of sorted) text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}

describe("server over stdio (dist/server.js)", function () {
  this.timeout(60000);
  let lsp: LspProcess | undefined;
  let ws: TempWorkspace | undefined;
  before(function () {
    if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run npm run build`);
  });
  afterEach(async () => {
    await lsp?.stop();
    ws?.remove();
    lsp = undefined;
    ws = undefined;
  });

  async function start(caps: object): Promise<{ uri: string; text: string }> {
    ws = tempWorkspace({ "src/service.ts": exampleWithDroppedContext() });
    lsp = new LspProcess();
    const init = await lsp.call<{ capabilities: Record<string, unknown>; serverInfo: { name: string } }>("initialize", {
      processId: process.pid,
      rootUri: ws.uri(""),
      capabilities: caps,
      workspaceFolders: [{ uri: ws.uri(""), name: "ws" }],
    });
    assert.equal(init.serverInfo.name, "ctxkit-language-server");
    assert.deepEqual((init.capabilities.codeActionProvider as { resolveProvider: boolean }).resolveProvider, true);
    lsp.notify("initialized", {});
    const uri = ws.uri("src/service.ts");
    const text = ws.read("src/service.ts");
    lsp.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text } });
    return { uri, text };
  }

  it("pulls diagnostics, offers and resolves a quick fix, and exits cleanly", async () => {
    const { uri, text } = await start(PULL_CAPS);
    const report = await lsp!.call<{ kind: string; items: Diag[] }>("textDocument/diagnostic", { textDocument: { uri } });
    assert.equal(report.kind, "full");
    const lost = report.items.find((d) => d.code === "ctxkit/no-dropped-context");
    assert.ok(lost, JSON.stringify(report.items));
    assert.equal(lost.source, "ctxkit");
    assert.match(lost.codeDescription!.href, /no-dropped-context\.md$/);
    assert.equal(lost.range.start.line, text.split("\n").findIndex((l) => l.includes("downstream(todo(), branch, ms)")));

    const actions = await lsp!.call<Action[]>("textDocument/codeAction", { textDocument: { uri }, range: lost.range, context: { diagnostics: [lost] } });
    const fixes = actions.filter((a) => a.kind === "quickfix" && a.data !== undefined);
    assert.ok(fixes.length > 0, `quick fixes for ${lost.message}: ${JSON.stringify(actions)}`);
    assert.ok(fixes.every((a) => a.edit === undefined), "edits are computed in codeAction/resolve");
    const resolved = await lsp!.call<Action>("codeAction/resolve", fixes[0]);
    const change = resolved.edit!.documentChanges[0]!;
    assert.deepEqual(change.textDocument, { uri, version: 1 });
    const fixed = applyEdits(text, change.edits);
    assert.notEqual(fixed, text);

    // The fixed text has no dropped context left.
    lsp!.notify("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    const after = await lsp!.call<{ items: Diag[] }>("textDocument/diagnostic", { textDocument: { uri } });
    assert.equal(after.items.filter((d) => d.code === "ctxkit/no-dropped-context").length, 0, JSON.stringify(after.items));
    assert.ok(fixed.includes("downstream(ctx, branch, ms)"), fixed);

    // The action offered at version 1 is stale now: no edit.
    const stale = await lsp!.call<Action>("codeAction/resolve", fixes[0]);
    assert.equal(stale.edit, undefined);
    assert.match(stale.disabled!.reason, /changed since this action was offered/);

    const code = await lsp!.stop();
    assert.equal(code, 0, "exit after shutdown ends the process with 0");
  });

  it("pushes diagnostics to a client without pull support", async () => {
    const { uri } = await start(PUSH_CAPS);
    const pushed = await lsp!.waitFor((m) => m.method === "textDocument/publishDiagnostics" && (m.params as { uri: string }).uri === uri, 30000, "publishDiagnostics");
    const diags = (pushed.params as { diagnostics: Diag[] }).diagnostics;
    assert.ok(diags.some((d) => d.code === "ctxkit/no-dropped-context"), JSON.stringify(diags));
  });

  it("answers an unknown method with MethodNotFound, bad params and malformed JSON with errors, and keeps serving", async () => {
    const { uri } = await start(PULL_CAPS);
    const unknown = await lsp!.request("ctxkit/noSuchMethod", {}).response;
    assert.equal(unknown.error?.code, -32601);
    const badResolve = await lsp!.request("codeAction/resolve", { title: "x" }).response;
    assert.equal(badResolve.error?.code, -32602);
    assert.match(badResolve.error!.message, /no ctxkit data/);
    const nullParams = await lsp!.request("textDocument/codeAction", null).response;
    assert.ok(nullParams.error !== undefined || Array.isArray(nullParams.result), JSON.stringify(nullParams));
    lsp!.sendRaw("{ this is not json");
    const parseError = await lsp!.waitFor((m) => m.error?.code === -32700, 15000, "a Parse error response");
    assert.equal(parseError.id, null);
    lsp!.notify("textDocument/didChange", { textDocument: { uri }, contentChanges: "nope" });
    lsp!.notify("$/noSuchNotification", { x: 1 });
    const report = await lsp!.call<{ items: Diag[] }>("textDocument/diagnostic", { textDocument: { uri } });
    assert.ok(report.items.length > 0, `still serving after bad input; log: ${JSON.stringify(lsp!.notifications.filter((m) => m.method === "window/logMessage"))}`);
    assert.equal(lsp!.child.exitCode, null);
  });

  it("stops a request cancelled with $/cancelRequest", async () => {
    const { uri } = await start(PULL_CAPS);
    const { id, response } = lsp!.request("textDocument/diagnostic", { textDocument: { uri } });
    lsp!.notify("$/cancelRequest", { id });
    const answer: RpcMessage = await response;
    assert.equal(answer.error?.code, -32800, JSON.stringify(answer));
    const report = await lsp!.call<{ items: Diag[] }>("textDocument/diagnostic", { textDocument: { uri } });
    assert.ok(report.items.length > 0);
  });

  it("speaks over --node-ipc too", async () => {
    ws = tempWorkspace({ "src/a.ts": exampleWithDroppedContext() });
    const { fork } = await import("node:child_process");
    const child = fork(SERVER_JS, ["--node-ipc"], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    try {
      const answer = await new Promise<{ result?: { serverInfo: { name: string } } }>((resolve, reject) => {
        child.on("message", (m: { id?: number; result?: { serverInfo: { name: string } } }) => {
          if (m.id === 1) resolve(m);
        });
        child.on("error", reject);
        child.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: process.pid, rootUri: ws!.uri(""), capabilities: {} } });
      });
      assert.equal(answer.result?.serverInfo.name, "ctxkit-language-server");
    } finally {
      child.kill();
    }
  });
});
