/**
 * Bad input in a real VS Code: a workspace without TypeScript (or ctxkit) installed, a tsconfig that does
 * not parse, a setting of the wrong type, and a server that dies at start. Each shows a clear status and
 * recovers when fixed; none turns into a crash loop. Skipped like vscode.e2e.test.ts.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactDir, ctxkitLog, findTools, openFile, openVsCode, packVsix, runCommand, statusLabel, until, type Session, type Tools } from "./codeServer";

const root = join(__dirname, "..", "..");

describe("extension: bad input in VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  let tools: Tools;
  let scratch: string;
  let workspace: string;
  let session: Session | undefined;
  let started = 0;
  const goodTsconfig = JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "NodeNext" }, include: ["src"] }, null, 2);

  before(async function () {
    const found = findTools();
    if ("missing" in found) {
      if (process.env.CTXKIT_CI === "1") throw new Error(`the VS Code e2e needs ${found.missing}`);
      this.skip();
    }
    if (!existsSync(join(root, "server", "src", "main.ts"))) this.skip();
    tools = found as Tools;
    started = Date.now();
    scratch = mkdtempSync(join(tmpdir(), "ctxkit-vscode-bad-"));
    // No node_modules at all: neither TypeScript nor ctxkit is installed in this workspace.
    workspace = join(scratch, "bare");
    mkdirSync(join(workspace, "src"), { recursive: true });
    writeFileSync(join(workspace, "tsconfig.json"), goodTsconfig);
    writeFileSync(join(workspace, "src", "main.ts"), "export async function main(signal: AbortSignal): Promise<void> {\n  await fetch(\"http://localhost\", { signal });\n}\n");
    session = await openVsCode(tools, packVsix(scratch), workspace);
  });

  after(async function () {
    if (session) await session.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (started) console.log(`      (VS Code bad-input e2e: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && session) {
      console.log(ctxkitLog(session));
      await session.page.screenshot({ path: join(artifactDir(), `failed-bad-${this.currentTest.title.replace(/\W+/g, "-")}.png`) }).catch(() => undefined);
    }
  });

  it("runs in a workspace without TypeScript installed: the file is validated, the status is ok", async () => {
    await openFile(session!.page, "src/main.ts");
    const label = await until("a validation in the status bar", async () => {
      const l = await statusLabel(session!.page);
      return /^ctxkit: \d\d:\d\d:\d\d — ctxkit language server: running/.test(l) ? l : undefined;
    }, 90_000);
    assert.doesNotMatch(label, /warning|error/);
  });

  it("says which tsconfig is broken, and recovers when it is fixed", async () => {
    const { page } = session!;
    writeFileSync(join(workspace, "tsconfig.json"), '{ "compilerOptions": { "strict": true,, }, "include": ["src"');
    const label = await until("the broken tsconfig in the status bar", async () => {
      const l = await statusLabel(page);
      return l.includes("tsconfig.json") ? l : undefined;
    }, 60_000);
    assert.match(label, /tsconfig\.json: /);
    await page.screenshot({ path: join(artifactDir(), "bad-tsconfig.png") });
    writeFileSync(join(workspace, "tsconfig.json"), goodTsconfig);
    await until("the status to be ok again", async () => /ctxkit language server: running/.test(await statusLabel(page)), 60_000);
  });

  it("says which setting has the wrong type, and recovers when it is fixed", async () => {
    const { page } = session!;
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    const settings = join(workspace, ".vscode", "settings.json");
    writeFileSync(settings, JSON.stringify({ "ctxkit.rules": { "require-cancel": 3 } }));
    const label = await until("the wrong setting in the status bar", async () => {
      const l = await statusLabel(page);
      return l.includes("ctxkit.rules") ? l : undefined;
    }, 60_000);
    assert.match(label, /require-cancel/);
    writeFileSync(settings, JSON.stringify({ "ctxkit.rules": { "require-cancel": "error" } }));
    await until("the status to be ok again", async () => /ctxkit language server: running/.test(await statusLabel(page)), 60_000);
  });

  it("restarts a server that dies at start a few times, then stops with an error; recovers on restart by hand", async () => {
    const { page, dir } = session!;
    await openFile(page, "src/main.ts");
    await until("the real server to run first", async () => /ctxkit language server: running/.test(await statusLabel(page)), 90_000);
    const installed = readdirSync(join(dir, "extensions")).find((d) => d.startsWith("ctxkit.ctxkit-vscode-"));
    assert.ok(installed, "the extension is installed");
    const serverJs = join(dir, "extensions", installed, "dist", "server.js");
    copyFileSync(serverJs, `${serverJs}.real`);
    const starts = join(dir, "starts.log");
    writeFileSync(serverJs, `require("fs").appendFileSync(${JSON.stringify(starts)}, "start\\n"); process.exit(3);\n`);
    await runCommand(page, "ctxkit: Restart language server");
    const label = await until("the status bar to give up", async () => {
      const l = await statusLabel(page);
      return /ctxkit: error/.test(l) ? l : undefined;
    }, 90_000);
    assert.match(label, /crashed 5 times; not restarted/);
    const count = readFileSync(starts, "utf8").split("\n").filter(Boolean).length;
    assert.equal(count, 5, "one start and four restarts, then no more");
    await page.screenshot({ path: join(artifactDir(), "crash-loop-stopped.png") });
    copyFileSync(`${serverJs}.real`, serverJs);
    await runCommand(page, "ctxkit: Restart language server");
    await until("the server to run again", async () => /ctxkit language server: running/.test(await statusLabel(page)), 90_000);
    assert.equal(readFileSync(starts, "utf8").split("\n").filter(Boolean).length, 5, "the crashing server was not started again");
  });

  it("stops the server when ctxkit.enable is turned off and starts it when turned on again", async () => {
    const { page } = session!;
    await openFile(page, "src/main.ts");
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    const settings = join(workspace, ".vscode", "settings.json");
    writeFileSync(settings, JSON.stringify({ "ctxkit.enable": false }));
    await until("the status bar to say disabled", async () => /^ctxkit: disabled/.test(await statusLabel(page)), 60_000);
    writeFileSync(settings, JSON.stringify({ "ctxkit.enable": true }));
    await until("the server to run again", async () => /ctxkit language server: running/.test(await statusLabel(page)), 90_000);
  });
});
