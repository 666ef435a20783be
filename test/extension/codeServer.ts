/**
 * Runs a real VS Code for the e2e test: code-server (VS Code 1.100.3 in the browser, from the npm
 * registry) with the packaged .vsix installed into a fresh extensions folder, driven by Debian's Chromium
 * through playwright-core. Everything it writes (home, settings, logs, sockets) goes into one temp folder.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CODE_SERVER_VERSION = "4.100.3";
const root = join(__dirname, "..", "..");

export interface Tools {
  codeServer: string;
  chromium: string;
}

/**
 * The code-server launcher and Chromium, or the reason they are missing. Under CTXKIT_CI=1 code-server is
 * installed (into the cache outside the repo) when it is not there yet.
 */
export function findTools(): Tools | { missing: string } {
  const browser = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(browser)) return { missing: `chromium (${browser}); apt-get install chromium` };
  const cache = process.env.CTXKIT_E2E_CACHE ?? join(homedir(), ".cache", "ctxkit-e2e");
  const dir = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(dir, "node_modules", ".bin", "code-server");
  if (existsSync(join(dir, ".installed")) && existsSync(bin)) return { codeServer: bin, chromium: browser };
  if (process.env.CTXKIT_CI !== "1") return { missing: `code-server ${CODE_SERVER_VERSION}; run bash test/extension/install-code-server.sh` };
  const installed = execFileSync("bash", [join(__dirname, "install-code-server.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return { codeServer: installed.trim().split("\n").pop() ?? bin, chromium: browser };
}

/** Packs the current build (dist/) into a .vsix in `dir`, as `npm run package` does, without rebuilding. */
export function packVsix(dir: string): string {
  if (!existsSync(join(root, "dist", "extension.js"))) {
    execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "--no-types"], { cwd: root, stdio: "inherit" });
  }
  const out = join(dir, "ctxkit-vscode.vsix");
  const vsce = join(root, "node_modules", "@vscode", "vsce", "vsce");
  const run = spawnSync(process.execPath, [vsce, "package", "--no-dependencies", "-o", out], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (run.status !== 0) throw new Error(`vsce package failed:\n${run.stdout}\n${run.stderr}`);
  return out;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls `check` until it returns a value other than undefined/false, or throws with `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Session {
  page: Page;
  dir: string;
  log: () => string;
  close: () => Promise<void>;
}

/**
 * Installs `vsix` into a fresh code-server, starts it on a free port on `workspace`, and opens it in
 * headless Chromium. `userSettings` goes into the fresh user-data folder before the start.
 */
export async function openVsCode(tools: Tools, vsix: string, workspace: string, userSettings: Record<string, unknown> = {}): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), "ctxkit-code-server-"));
  const home = join(dir, "home");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    TMPDIR: join(dir, "tmp"),
  };
  delete env.CTXKIT_CI;
  for (const d of [home, env.TMPDIR!, join(dir, "data", "User"), join(dir, "extensions")]) mkdirSync(d, { recursive: true });
  writeFileSync(join(dir, "data", "User", "settings.json"), JSON.stringify({
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "update.mode": "none",
    "workbench.enableExperiments": false,
    "chat.disableAIFeatures": true,
    "workbench.tips.enabled": false,
    "editor.minimap.enabled": false,
    ...userSettings,
  }, null, 2));
  const common = ["--user-data-dir", join(dir, "data"), "--extensions-dir", join(dir, "extensions")];
  const install = spawnSync(tools.codeServer, [...common, "--install-extension", vsix], { env, encoding: "utf8" });
  if (install.status !== 0 || !/successfully installed/.test(install.stdout)) {
    throw new Error(`code-server --install-extension failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
  }
  const port = await freePort();
  let log = "";
  const server: ChildProcess = spawn(tools.codeServer, [
    ...common, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check",
    "--disable-workspace-trust", "--disable-getting-started-override", "--ignore-last-opened", workspace,
  ], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  server.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    // detached made it a process group leader: this stops the server, the extension host and our language server.
    if (server.pid !== undefined && server.exitCode === null) {
      try { process.kill(-server.pid, "SIGTERM"); } catch { /* already gone */ }
      await until("code-server to exit", () => server.exitCode !== null || server.signalCode !== null, 10_000).catch(() => {
        try { process.kill(-server.pid!, "SIGKILL"); } catch { /* already gone */ }
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until("code-server /healthz", async () => {
      if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}:\n${log}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.ok;
    }, 60_000);
    browser = await chromium.launch({
      executablePath: tools.chromium,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"],
    });
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector(".monaco-workbench", { timeout: 90_000 });
    return { page, dir, log: () => log, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Opens `relativePath` of the workspace with Quick Open and waits for its editor. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: 60_000 });
  const name = relativePath.split("/").pop()!;
  const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  // The row whose file name is exactly `name`: fuzzy matching may rank another file first.
  const row = page.locator(".quick-input-list .monaco-list-row").filter({ has: page.locator(".label-name", { hasText: exact }) }).first();
  await until(`quick open to list ${relativePath}`, async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+P");
    await page.waitForSelector(".quick-input-widget:not([style*='display: none']) input", { timeout: 5000 });
    await page.keyboard.type(relativePath);
    await row.waitFor({ timeout: 5000 });
    return true;
  }, 60_000, 500);
  await row.click();
  await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ timeout: 30_000 });
  await page.waitForSelector(".editor-instance .view-lines", { timeout: 30_000 });
}

/** The text of ctxkit's status bar item (empty until the extension has activated). */
export async function statusText(page: Page): Promise<string> {
  const item = page.locator("[id='ctxkit.ctxkit-vscode.ctxkit.status']");
  return (await item.count()) > 0 ? ((await item.first().innerText()).trim()) : "";
}

export function artifactDir(): string {
  const d = join(root, "test-artifacts", "vscode-e2e");
  mkdirSync(d, { recursive: true });
  return d;
}

/** The accessible label of ctxkit's status bar item: its text without icons and the tooltip's first line. */
export async function statusLabel(page: Page): Promise<string> {
  const item = page.locator("[id='ctxkit.ctxkit-vscode.ctxkit.status']");
  if ((await item.count()) === 0) return "";
  return await item.first().evaluate((el) => el.getAttribute("aria-label") ?? el.querySelector("[aria-label]")?.getAttribute("aria-label") ?? "");
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Shift+P");
  await page.waitForSelector(".quick-input-widget:not([style*='display: none']) input");
  await page.keyboard.type(title);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press("Enter");
}

/** The extension's "ctxkit" output channel as VS Code logged it to disk (for failure reports). */
export function ctxkitLog(session: Session): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/ctxkit.*\.log$/.test(e.name)) out.push(`--- ${p}\n${readFileSync(p, "utf8")}`);
    }
  };
  if (existsSync(join(session.dir, "data", "logs"))) walk(join(session.dir, "data", "logs"));
  return out.join("\n");
}
