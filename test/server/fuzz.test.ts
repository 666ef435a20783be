/**
 * Fuzz: 10,000 random edits (invalid syntax, huge lines, deletions, unicode, file removals) and random valid and
 * invalid requests against the core class. No handler throws anything but an LSP error, no unhandled rejection,
 * and the heap stays bounded. Seeded: a failure prints the seed (CTXKIT_FUZZ_SEED reruns it).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { CancellationTokenSource, FileChangeType, ResponseError, type Range } from "vscode-languageserver";
import { harness, PULL_CAPS, PUSH_CAPS, type Harness } from "./memoryClient";

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED_FILES: Record<string, string> = {
  "src/a.ts": `import { sleep, todo, withTimeout, type Context } from "ctxkit";\nimport { helper } from "./b.js";\nexport async function f(ctx: Context): Promise<void> {\n  const [c, cancel] = withTimeout(ctx, 5);\n  await sleep(todo(), 5);\n  await helper(c);\n}\n`,
  "src/b.ts": `import { sleep, type Context } from "ctxkit";\nexport async function helper(ctx: Context): Promise<void> {\n  await sleep(ctx, 1);\n  await fetch("http://x");\n}\n`,
  "src/c.ts": `export const x = 1;\n`,
};

const SNIPPETS = [
  "", "{", "}", "(", ")", ";", "await ", "async ", "todo()", "ctx", "withCancel(ctx)", "\n", "\r\n", "import { x } from './nowhere.js';\n",
  "const [a, b] = withTimeout(ctx, 1);\n", "🚀", "\u{10FFFF}", "\ud800", "é", "\u200b", "/*", "*/", "`${", "'", '"', "<div>", "export default ", "=>",
  "function g(ctx: Context) { return sleep(todo(), 1); }\n", "using s = withCancel(ctx);\n", "@", "#!", "\t", "\u0000",
];

describe("server fuzz", function () {
  this.timeout(120000);
  let h: Harness | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  before(() => process.on("unhandledRejection", onUnhandled));
  after(() => {
    process.off("unhandledRejection", onUnhandled);
    h?.dispose();
  });

  it("survives 10,000 random edits and random requests with a bounded heap", async () => {
    const seed = Number(process.env.CTXKIT_FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const int = (n: number): number => Math.floor(random() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const push = random() < 0.5;
    h = await harness(SEED_FILES, push ? PUSH_CAPS : PULL_CAPS, { pushDelayMs: 0 });
    const files = Object.keys(SEED_FILES);
    const texts = new Map<string, string>();
    const grown = new Map<string, number>();
    const versions = new Map<string, number>();
    const open = (rel: string): void => {
      const text = fs.existsSync(h!.ws.file(rel)) ? h!.ws.read(rel) : SEED_FILES[rel]!;
      texts.set(rel, text);
      versions.set(rel, 1);
      h!.server.didOpen({ textDocument: { uri: h!.ws.uri(rel), languageId: "typescript", version: 1, text } });
    };
    for (const f of files) open(f);
    const failures: string[] = [];
    /** Calls a handler the way the connection would; only LSP errors may come out. */
    const safely = async (what: string, fn: () => unknown): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        if (!(e instanceof ResponseError)) failures.push(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
      }
    };
    const randomRange = (text: string): Range => {
      const lines = text.split("\n").length;
      const pos = () => ({ line: int(lines + 2) - (random() < 0.02 ? 3 : 0), character: int(120) });
      const a = pos();
      const b = random() < 0.5 ? a : pos();
      return { start: a, end: b };
    };
    const gc = vm.runInNewContext("gc") as () => void;
    let baseline = 0;
    const started = Date.now();
    const EDITS = 10_000;
    let requests = 0;
    for (let i = 0; i < EDITS; i++) {
      if (i === 500) {
        gc();
        baseline = process.memoryUsage().heapUsed;
      }
      const rel = pick(files);
      const uri = h.ws.uri(rel);
      const roll = random();
      if (!texts.has(rel)) {
        open(rel);
        continue;
      }
      let text = texts.get(rel)!;
      if (roll < 0.01) {
        h.server.didClose({ textDocument: { uri } });
        texts.delete(rel);
        continue;
      }
      if (roll < 0.015) {
        // remove the file on disk (and sometimes put it back)
        if (fs.existsSync(h.ws.file(rel))) fs.rmSync(h.ws.file(rel));
        else h.ws.write(rel, SEED_FILES[rel]!);
        h.server.didChangeWatchedFiles({ changes: [{ uri, type: fs.existsSync(h.ws.file(rel)) ? FileChangeType.Created : FileChangeType.Deleted }] });
        continue;
      }
      // an edit
      const version = versions.get(rel)! + 1;
      versions.set(rel, version);
      let insert = pick(SNIPPETS);
      if (random() < 0.003) insert = "x".repeat(50_000 + int(100_000)); // a huge line
      if (random() < 0.05) insert = Array.from({ length: int(40) }, () => pick(SNIPPETS)).join("");
      const range = random() < 0.3 ? randomRange(text) : { start: randomRange(text).start, end: randomRange(text).start };
      if ((grown.get(rel) ?? 0) > 150_000 || random() < 0.002) {
        // back to the seed text, so that huge lines do not pile up and every lint stays affordable
        text = SEED_FILES[rel]!;
        grown.set(rel, 0);
        h.server.didChange({ textDocument: { uri, version }, contentChanges: [{ text }] });
      } else {
        grown.set(rel, (grown.get(rel) ?? 0) + insert.length);
        h.server.didChange({ textDocument: { uri, version }, contentChanges: [{ range, text: insert }] });
      }
      texts.set(rel, text); // the server holds the real text; the test only needs line counts roughly
      // requests, valid and not, at about one in fourteen edits
      if (random() < 0.07) {
        requests++;
        const source = new CancellationTokenSource();
        if (random() < 0.1) source.cancel();
        const r = random();
        if (r < 0.45) {
          await safely("diagnostic", () => h!.server.documentDiagnostic({ textDocument: { uri } }, source.token));
        } else if (r < 0.75) {
          await safely("codeAction", async () => {
            const actions = await h!.server.codeAction({ textDocument: { uri }, range: randomRange(text), context: { diagnostics: [] } }, source.token);
            for (const a of actions.slice(0, 3)) await h!.server.codeActionResolve(a, source.token);
          });
        } else if (r < 0.85) {
          const bogus = pick<unknown>([null, {}, { data: null }, { title: "x", data: { provider: "lint", uri, version: -1 } }, { title: "y", data: { provider: "nope", uri, version: 1 } }, { data: { provider: "lint", uri: 5, version: "1" } }]);
          await safely("resolve(bogus)", () => h!.server.codeActionResolve(bogus as never));
        } else if (r < 0.9) {
          const settings = pick<unknown>([null, 7, { enable: false }, { enable: true }, { rules: { "require-cancel": "error" } }, { rules: "all" }, { contextTypes: [{ from: "global", name: "AbortSignal" }] }, { contextTypes: [{}] }, { trace: { server: "verbose" } }]);
          await safely("configuration", () => h!.server.didChangeConfiguration({ settings: { ctxkit: settings } }));
        } else if (r < 0.95) {
          await safely("bad params", () => h!.server.documentDiagnostic(pick<unknown>([null, {}, { textDocument: null }, { textDocument: { uri: 42 } }]) as never));
          await safely("bad codeAction", () => h!.server.codeAction(pick<unknown>([{}, { textDocument: { uri }, range: null, context: {} }, { textDocument: { uri }, range: { start: {}, end: {} } }]) as never));
          await safely("bad change", () => h!.server.didChange(pick<unknown>([{ textDocument: { uri }, contentChanges: null }, { textDocument: { uri, version: 9e9 }, contentChanges: [{ range: null, text: 3 }] }]) as never));
        } else {
          await safely("command", () => h!.server.executeCommand({ command: pick(["ctxkit.nothing", "ctxkit.server.threadCtx"]), arguments: [pick<unknown>([null, {}, { textDocument: { uri }, position: { line: 1, character: 1 } }])] }, source.token));
        }
        source.dispose();
      }
      if (i % 200 === 0) await new Promise((r) => setImmediate(r)); // let pushed diagnostics run
    }
    await h.server.idle();
    await new Promise((r) => setTimeout(r, 20));
    gc();
    const heap = process.memoryUsage().heapUsed;
    const elapsed = Date.now() - started;
    const note = `seed ${seed}, ${push ? "push" : "pull"}, ${requests} requests, ${elapsed} ms, heap ${(baseline / 1e6).toFixed(0)} → ${(heap / 1e6).toFixed(0)} MB, ${h.server.stats.lints} lints`;
    assert.deepEqual(failures.slice(0, 5), [], note);
    assert.deepEqual(unhandled, [], note);
    assert.ok(heap < baseline + 300e6, `heap grew without bound: ${note}`);
    // Afterwards the server still gives right answers, once the seed files are back on disk (a file open in the
    // editor but not on disk is outside the tsconfig's files, as in tsserver, and its inferred project cannot
    // resolve the workspace's ctxkit).
    for (const rel of files) {
      if (fs.existsSync(h.ws.file(rel))) continue;
      h.ws.write(rel, SEED_FILES[rel]!);
      h.server.didChangeWatchedFiles({ changes: [{ uri: h.ws.uri(rel), type: FileChangeType.Created }] });
    }
    await h.server.didChangeConfiguration({ settings: { ctxkit: {} } });
    h.server.didChange({ textDocument: { uri: h.ws.uri("src/a.ts"), version: 1e6 }, contentChanges: [{ text: SEED_FILES["src/a.ts"]! }] });
    if (!texts.has("src/a.ts")) open("src/a.ts");
    const report = (await h.server.documentDiagnostic({ textDocument: { uri: h.ws.uri("src/a.ts") } })) as { items: { code: string }[] };
    assert.ok(report.items.some((d) => d.code === "ctxkit/no-dropped-context"), `${note}: ${JSON.stringify(report)}`);
    console.log(`      fuzz: ${note}`);
  });
});

v8.setFlagsFromString("--expose-gc");
