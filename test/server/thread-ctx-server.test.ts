/**
 * Thread ctx through the server core: offered on a todo() marker, resolved into one versioned WorkspaceEdit,
 * refused with a reason, stale versions rejected, and the ctxkit.server.threadCtx command applied through
 * workspace/applyEdit. Real TypeScript, real server core, in-memory client.
 */
import { strict as assert } from "node:assert";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CodeActionKind, type CodeAction, type TextDocumentEdit, type TextEdit, type WorkspaceEdit } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { LspClient } from "../../server/src/client";
import { CtxkitServer } from "../../server/src/server";
import { ThreadCtxCommand } from "../../server/src/shared/commands";
import { tempWorkspace, TSCONFIG, type TempWorkspace } from "./workspace";

/** A client that pulls diagnostics and resolves code actions (VS Code's shape), recording applied edits. */
const CAPS = {
  textDocument: {
    diagnostic: { dynamicRegistration: false },
    codeAction: { dataSupport: true, resolveSupport: { properties: ["edit"] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "refactor"] } } },
  },
  workspace: { configuration: false },
};

interface Harness {
  ws: TempWorkspace;
  server: CtxkitServer;
  edits: WorkspaceEdit[];
  open(rel: string): void;
  edit(rel: string, text: string): void;
  dispose(): void;
}

async function harness(files: Record<string, string>, options: { tsconfig?: string | null } = {}): Promise<Harness> {
  const ws = tempWorkspace(files, options);
  const edits: WorkspaceEdit[] = [];
  const client: LspClient = {
    publishDiagnostics: () => undefined,
    refreshDiagnostics: async () => undefined,
    showMessage: () => undefined,
    log: () => undefined,
    getConfiguration: async (uris) => uris.map(() => undefined),
    status: () => undefined,
    applyEdit: async (_label, edit) => {
      edits.push(edit);
      return { applied: true };
    },
  };
  const server = new CtxkitServer(client, { pushDelayMs: 0 });
  server.initialize({ processId: null, rootUri: ws.uri(""), capabilities: CAPS, workspaceFolders: [{ uri: ws.uri(""), name: "ws" }] });
  await server.initialized();
  let version = 1;
  return {
    ws,
    server,
    edits,
    open: (rel) => server.didOpen({ textDocument: { uri: ws.uri(rel), languageId: "typescript", version: 1, text: ws.read(rel) } }),
    edit: (rel, text) => server.didChange({ textDocument: { uri: ws.uri(rel), version: ++version }, contentChanges: [{ text }] }),
    dispose: () => {
      server.shutdown();
      ws.remove();
    },
  };
}

const FILES = {
  "src/repo.ts": `import { sleep, type Context } from "ctxkit";\n\nexport async function fetchRow(ctx: Context, id: string): Promise<string> {\n  await sleep(ctx, 1);\n  return id;\n}\n`,
  "src/service.ts": `import { todo } from "ctxkit";\nimport { fetchRow } from "./repo.js";\n\nexport async function loadUser(id: string): Promise<string> {\n  return fetchRow(todo(), id);\n}\n`,
  "src/handler.ts": `import type { Context } from "ctxkit";\nimport { loadUser } from "./service.js";\n\nexport async function handle(ctx: Context): Promise<string> {\n  return loadUser("7");\n}\n`,
  "src/values.ts": `export async function mapped(id: string): Promise<string> {\n  return id;\n}\n\nexport const all = (ids: string[]) => Promise.all(ids.map(mapped));\n`,
};

function relOf(h: Harness, uri: string): string {
  return relative(h.ws.dir, fileURLToPath(uri)).replace(/\\/g, "/");
}

/** Applies a WorkspaceEdit's document changes to the workspace texts (open or on disk) and returns the new texts. */
function apply(h: Harness, edit: WorkspaceEdit): Map<string, string> {
  const out = new Map<string, string>();
  for (const change of edit.documentChanges as TextDocumentEdit[]) {
    const rel = relOf(h, change.textDocument.uri);
    const doc = TextDocument.create(change.textDocument.uri, "typescript", 0, h.ws.read(rel));
    out.set(rel, TextDocument.applyEdits(doc, change.edits as TextEdit[]));
  }
  return out;
}

function positionOf(text: string, needle: string): { line: number; character: number } {
  const doc = TextDocument.create("file:///x.ts", "typescript", 0, text);
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  return doc.positionAt(at);
}

describe("server: Thread ctx code actions and command", function () {
  this.timeout(60000);
  let h: Harness | undefined;
  afterEach(() => {
    h?.dispose();
    h = undefined;
  });

  async function offered(rel: string, needle: string): Promise<CodeAction[]> {
    const at = positionOf(h!.ws.read(rel), needle);
    return h!.server.codeAction({ textDocument: { uri: h!.ws.uri(rel) }, range: { start: at, end: at }, context: { diagnostics: [] } });
  }

  it("offers both variants on a todo() marker without an edit, and resolves one versioned WorkspaceEdit over every file", async () => {
    h = await harness(FILES);
    h.open("src/service.ts");
    const actions = (await offered("src/service.ts", "todo()")).filter((a) => a.title.startsWith("Thread ctx"));
    assert.deepEqual(actions.map((a) => a.title), ["Thread ctx through loadUser", "Thread ctx up the call chain from loadUser"]);
    assert.ok(actions.every((a) => a.edit === undefined && a.kind === CodeActionKind.RefactorRewrite), "the edit waits for resolve");
    const resolved = await h.server.codeActionResolve(actions[0]!);
    assert.equal(resolved.disabled, undefined);
    const changes = resolved.edit!.documentChanges as TextDocumentEdit[];
    const versions = Object.fromEntries(changes.map((c) => [relOf(h!, c.textDocument.uri), c.textDocument.version]));
    assert.deepEqual(versions, { "src/service.ts": 1, "src/handler.ts": null }, "open documents carry their version, files on disk null");
    const texts = apply(h, resolved.edit!);
    assert.equal(texts.get("src/service.ts"), `import type { Context } from "ctxkit";\nimport { fetchRow } from "./repo.js";\n\nexport async function loadUser(ctx: Context, id: string): Promise<string> {\n  return fetchRow(ctx, id);\n}\n`);
    assert.match(texts.get("src/handler.ts")!, /return loadUser\(ctx, "7"\);/);
  });

  it("answers a stale resolve (the document changed) with a disabled reason and no edit", async () => {
    h = await harness(FILES);
    h.open("src/service.ts");
    const [action] = (await offered("src/service.ts", "todo()")).filter((a) => a.title.startsWith("Thread ctx"));
    h.edit("src/service.ts", FILES["src/service.ts"] + "\n");
    const resolved = await h.server.codeActionResolve(action!);
    assert.equal(resolved.edit, undefined);
    assert.match(resolved.disabled!.reason, /changed since this action was offered/);
  });

  it("runs the command through workspace/applyEdit, and refuses with the reason where a reference is a value", async () => {
    h = await harness(FILES);
    h.open("src/service.ts");
    const ok = (await h.server.executeCommand({
      command: ThreadCtxCommand.id,
      arguments: [{ textDocument: { uri: h.ws.uri("src/service.ts"), version: 1 }, position: positionOf(FILES["src/service.ts"], "loadUser") } satisfies ThreadCtxCommand.Arguments],
    })) as ThreadCtxCommand.Result;
    assert.equal(ok.applied, true, JSON.stringify(ok));
    assert.equal(h.edits.length, 1);
    assert.match(apply(h, h.edits[0]!).get("src/handler.ts")!, /loadUser\(ctx, "7"\)/);

    const refused = (await h.server.executeCommand({
      command: ThreadCtxCommand.id,
      arguments: [{ textDocument: { uri: h.ws.uri("src/values.ts") }, position: positionOf(FILES["src/values.ts"], "mapped") }],
    })) as ThreadCtxCommand.Result;
    assert.equal(refused.applied, false);
    assert.match((refused as { reason: string }).reason, /mapped is used as a value .* at values\.ts:5:/);
    assert.equal(h.edits.length, 1, "nothing is applied on a refusal");

    const bad = (await h.server.executeCommand({ command: ThreadCtxCommand.id, arguments: [{ textDocument: { uri: h.ws.uri("src/service.ts") } }] })) as ThreadCtxCommand.Result;
    assert.deepEqual(bad, { applied: false, reason: 'ctxkit.threadCtx needs { textDocument: { uri }, position: { line, character } } and, optionally, variant "single" or "upChain".' });
    const outside = (await h.server.executeCommand({
      command: ThreadCtxCommand.id,
      arguments: [{ textDocument: { uri: h.ws.uri("src/service.ts") }, position: { line: 999, character: 0 } }],
    })) as ThreadCtxCommand.Result;
    assert.equal(outside.applied, false);
    assert.match((outside as { reason: string }).reason, /outside the document/);
  });

  it("runs the command up the call chain with variant \"upChain\", and rejects an unknown variant", async () => {
    const mid = `import { loadUser } from "./service.js";\n\nexport async function mid(id: string): Promise<string> {\n  return loadUser(id);\n}\n`;
    const top = `import type { Context } from "ctxkit";\nimport { mid } from "./mid.js";\n\nexport async function top(ctx: Context): Promise<string> {\n  return mid("1");\n}\n`;
    h = await harness({ ...FILES, "src/mid.ts": mid, "src/top.ts": top });
    h.open("src/service.ts");
    const at = positionOf(FILES["src/service.ts"], "loadUser");
    const run = async (variant: unknown): Promise<ThreadCtxCommand.Result> =>
      (await h!.server.executeCommand({ command: ThreadCtxCommand.id, arguments: [{ textDocument: { uri: h!.ws.uri("src/service.ts") }, position: at, variant }] })) as ThreadCtxCommand.Result;
    const wrong = await run("all");
    assert.equal(wrong.applied, false);
    assert.match((wrong as { reason: string }).reason, /variant "single" or "upChain"/);
    assert.equal(h.edits.length, 0);
    const up = await run("upChain");
    assert.equal(up.applied, true, JSON.stringify(up));
    const texts = apply(h, h.edits[0]!);
    assert.match(texts.get("src/mid.ts")!, /export async function mid\(ctx: Context, id: string\)[^]*return loadUser\(ctx, id\);/);
    assert.match(texts.get("src/top.ts")!, /return mid\(ctx, "1"\);/);
    const single = await run(undefined);
    assert.equal(single.applied, true);
    assert.match(apply(h, h.edits[1]!).get("src/mid.ts")!, /return loadUser\(todo\(\), id\);/, "without a variant, one function only");
  });

  it("stops up the call chain at ctxkit.threadCtx.maxDepth, applied without a restart; a wrong value keeps the default", async () => {
    const mid = `import { loadUser } from "./service.js";\n\nexport async function mid(id: string): Promise<string> {\n  return loadUser(id);\n}\n`;
    const outer = `import { mid } from "./mid.js";\n\nexport async function outer(id: string): Promise<string> {\n  return mid(id);\n}\n`;
    const top = `import type { Context } from "ctxkit";\nimport { outer } from "./outer.js";\n\nexport async function top(ctx: Context): Promise<string> {\n  return outer("1");\n}\n`;
    h = await harness({ ...FILES, "src/mid.ts": mid, "src/outer.ts": outer, "src/top.ts": top });
    h.open("src/service.ts");
    const at = positionOf(FILES["src/service.ts"], "loadUser");
    const run = async (): Promise<Map<string, string>> => {
      const result = (await h!.server.executeCommand({ command: ThreadCtxCommand.id, arguments: [{ textDocument: { uri: h!.ws.uri("src/service.ts") }, position: at, variant: "upChain" }] })) as ThreadCtxCommand.Result;
      assert.equal(result.applied, true, JSON.stringify(result));
      return apply(h!, h!.edits[h!.edits.length - 1]!);
    };
    h.server.applySettings({ threadCtx: { maxDepth: 1 } });
    assert.equal(h.server.currentSettings().threadCtx.maxDepth, 1);
    const shallow = await run();
    assert.match(shallow.get("src/mid.ts")!, /function mid\(ctx: Context, id: string\)/);
    assert.match(shallow.get("src/outer.ts")!, /return mid\(todo\(\), id\);/, "the chain stops after one level");
    assert.equal(shallow.get("src/top.ts"), undefined);
    h.server.applySettings({ threadCtx: { maxDepth: "deep" } });
    assert.equal(h.server.currentSettings().threadCtx.maxDepth, 8);
    const deep = await run();
    assert.match(deep.get("src/outer.ts")!, /function outer\(ctx: Context, id: string\)[^]*return mid\(ctx, id\);/);
    assert.match(deep.get("src/top.ts")!, /return outer\(ctx, "1"\);/);
  });

  describe("a workspace of several tsconfigs", () => {
    const project = (extra: Record<string, unknown> = {}): string =>
      JSON.stringify({ compilerOptions: { ...(JSON.parse(TSCONFIG) as { compilerOptions: object }).compilerOptions, ...extra }, include: ["src"] }, null, 2);
    const PROJECTS = {
      "packages/a/tsconfig.json": project(),
      "packages/a/src/repo.ts": FILES["src/repo.ts"],
      "packages/a/src/service.ts": FILES["src/service.ts"],
      "packages/a/src/local.ts": `import type { Context } from "ctxkit";\nimport { loadUser } from "./service.js";\n\nexport async function local(ctx: Context): Promise<string> {\n  return loadUser("a");\n}\n`,
      "packages/b/tsconfig.json": project(),
      "packages/b/src/handler.ts": `import type { Context } from "ctxkit";\nimport { loadUser } from "../../a/src/service.js";\n\nexport async function handle(ctx: Context): Promise<string> {\n  return loadUser("b");\n}\n`,
      "packages/b/src/cli.ts": `import { loadUser } from "../../a/src/service.js";\n\nexport async function run(): Promise<string> {\n  return loadUser("cli");\n}\n`,
    };

    async function resolveOn(rel: string): Promise<CodeAction> {
      const [action] = (await offered(rel, "todo()")).filter((a) => a.title === "Thread ctx through loadUser");
      assert.ok(action, "Thread ctx is offered");
      return h!.server.codeActionResolve(action);
    }

    it("updates the callers in another tsconfig's project, also when none of its files is open", async () => {
      h = await harness(PROJECTS, { tsconfig: null });
      h.open("packages/a/src/service.ts");
      const resolved = await resolveOn("packages/a/src/service.ts");
      assert.equal(resolved.disabled, undefined, resolved.disabled?.reason);
      const changes = resolved.edit!.documentChanges as TextDocumentEdit[];
      assert.deepEqual(changes.map((c) => relOf(h!, c.textDocument.uri)).sort(), ["packages/a/src/local.ts", "packages/a/src/service.ts", "packages/b/src/cli.ts", "packages/b/src/handler.ts"]);
      const texts = apply(h, resolved.edit!);
      assert.match(texts.get("packages/a/src/service.ts")!, /export async function loadUser\(ctx: Context, id: string\)/);
      assert.match(texts.get("packages/a/src/local.ts")!, /return loadUser\(ctx, "a"\);/);
      assert.match(texts.get("packages/b/src/handler.ts")!, /return loadUser\(ctx, "b"\);/);
      assert.equal(texts.get("packages/b/src/cli.ts"), `import { loadUser } from "../../a/src/service.js";\nimport { todo } from "ctxkit";\n\nexport async function run(): Promise<string> {\n  return loadUser(todo(), "cli");\n}\n`);
    });

    it("edits a file that two projects hold once, with the open documents' versions", async () => {
      h = await harness(PROJECTS, { tsconfig: null });
      h.open("packages/b/src/handler.ts");
      h.open("packages/a/src/service.ts");
      const resolved = await resolveOn("packages/a/src/service.ts");
      const changes = resolved.edit!.documentChanges as TextDocumentEdit[];
      const service = changes.filter((c) => relOf(h!, c.textDocument.uri) === "packages/a/src/service.ts");
      assert.equal(service.length, 1, "one change list for the shared file");
      assert.equal(new Set(service[0]!.edits.map((e) => JSON.stringify(e))).size, service[0]!.edits.length, "no edit twice");
      const versions = Object.fromEntries(changes.map((c) => [relOf(h!, c.textDocument.uri), c.textDocument.version]));
      assert.deepEqual(versions, { "packages/a/src/service.ts": 1, "packages/a/src/local.ts": null, "packages/b/src/handler.ts": 1, "packages/b/src/cli.ts": null });
      assert.match(apply(h, resolved.edit!).get("packages/a/src/service.ts")!, /^import type \{ Context \} from "ctxkit";\n[^]*loadUser\(ctx: Context, id: string\)[^]*fetchRow\(ctx, id\)/);
    });

    it("refuses with the reason when a reference in the other project cannot be rewritten, and so does the command", async () => {
      h = await harness(
        { ...PROJECTS, "packages/b/src/batch.ts": `import { loadUser } from "../../a/src/service.js";\n\nexport const all = (ids: string[]) => Promise.all(ids.map(loadUser));\n` },
        { tsconfig: null },
      );
      h.open("packages/a/src/service.ts");
      const resolved = await resolveOn("packages/a/src/service.ts");
      assert.equal(resolved.edit, undefined);
      assert.match(resolved.disabled!.reason, /^In the project of b[\\/]tsconfig\.json: loadUser is used as a value .* at batch\.ts:3:/);
      const command = (await h.server.executeCommand({
        command: ThreadCtxCommand.id,
        arguments: [{ textDocument: { uri: h.ws.uri("packages/a/src/service.ts") }, position: positionOf(PROJECTS["packages/a/src/service.ts"], "loadUser") }],
      })) as ThreadCtxCommand.Result;
      assert.equal(command.applied, false);
      assert.match((command as { reason: string }).reason, /batch\.ts:3:/);
      assert.equal(h.edits.length, 0, "nothing is applied");
    });
  });
});
