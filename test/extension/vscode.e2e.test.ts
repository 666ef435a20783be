/**
 * The extension in a real VS Code: code-server with the packaged .vsix, driven by headless Chromium.
 * Skipped locally when code-server or Chromium is missing; under CTXKIT_CI=1 it installs code-server and
 * fails instead. Screenshots go to test-artifacts/vscode-e2e/.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactDir, findTools, openFile, openVsCode, packVsix, statusText, until, type Session, type Tools } from "./codeServer";

const root = join(__dirname, "..", "..");

describe("extension: in VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  let tools: Tools;
  let scratch: string;
  let workspace: string;
  let session: Session | undefined;
  let started = 0;

  before(function () {
    const found = findTools();
    if ("missing" in found) {
      if (process.env.CTXKIT_CI === "1") throw new Error(`the VS Code e2e needs ${found.missing}`);
      this.skip();
    }
    tools = found as Tools;
    started = Date.now();
    scratch = mkdtempSync(join(tmpdir(), "ctxkit-vscode-e2e-"));
    // A copy of examples/ beside the repo's tsconfig.json (which it extends) and node_modules (ctxkit, @types/node).
    const ws = join(scratch, "ws");
    mkdirSync(ws);
    cpSync(join(root, "tsconfig.json"), join(ws, "tsconfig.json"));
    symlinkSync(join(root, "node_modules"), join(ws, "node_modules"), "dir");
    workspace = join(ws, "examples");
    cpSync(join(root, "examples"), workspace, { recursive: true });
  });

  after(async function () {
    if (session) {
      if (this.currentTest?.state === "failed") console.log(session.log());
      await session.close();
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (started) console.log(`      (VS Code e2e: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && session) {
      await session.page.screenshot({ path: join(artifactDir(), `failed-${this.currentTest.title.replace(/\W+/g, "-")}.png`) }).catch(() => undefined);
    }
  });

  it("installs the .vsix into a fresh code-server and activates on a TypeScript file", async () => {
    const vsix = packVsix(scratch);
    session = await openVsCode(tools, vsix, workspace);
    const { page } = session;
    await openFile(page, "src/service.ts");
    const text = await until("the ctxkit status bar item", async () => (await statusText(page)) || undefined, 60_000);
    assert.match(text, /ctxkit/);
    await page.screenshot({ path: join(artifactDir(), "activated.png") });
  });
});
