/**
 * Neovim (Debian's 0.7.2 in CI) drives dist/server.js headless over stdio: real diagnostics, a real quick fix
 * applied by the editor, the file written, and its content checked on disk.
 *
 * Each scenario is a Lua file in ./nvim/ (run by ./nvim/harness.lua) plus the workspace it runs in and the check of
 * the files afterwards. To add one, append to SCENARIOS.
 * Skips when nvim is missing locally; fails when CTXKIT_CI=1.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SERVER_JS } from "./lspProcess";
import { REPO, tempWorkspace, type TempWorkspace } from "./workspace";

export interface NeovimScenario {
  name: string;
  /** The Lua scenario, relative to test/server/nvim/. */
  lua: string;
  /** The workspace's files (a tsconfig and `node_modules/ctxkit` are added). */
  files: () => Record<string, string>;
  /** The file Neovim opens, relative to the workspace. */
  target: string;
  /** Checks the workspace after Neovim exited with 0. */
  check: (ws: TempWorkspace) => void;
}

const service = (): string => fs.readFileSync(path.join(REPO, "examples", "src", "service.ts"), "utf8");

export const SCENARIOS: NeovimScenario[] = [
  {
    name: "a quick fix of no-dropped-context on examples/src/service.ts",
    lua: "quick-fix.lua",
    files: () => {
      const text = service()
        .replace('import { sleep, withTimeout, type Context } from "ctxkit";', 'import { sleep, todo, withTimeout, type Context } from "ctxkit";')
        .replace("downstream(ctx, branch, ms)", "downstream(todo(), branch, ms)");
      assert.ok(text.includes("downstream(todo(), branch, ms)"), "examples/src/service.ts no longer has the line this scenario edits");
      return { "src/service.ts": text };
    },
    target: "src/service.ts",
    check: (ws) => {
      const text = ws.read("src/service.ts");
      assert.ok(text.includes("downstream(ctx, branch, ms)"), text);
      assert.ok(!text.includes("downstream(todo()"), text);
    },
  },
  {
    name: "Thread ctx from a todo() marker in examples/src/service.ts, across files",
    lua: "thread-ctx.lua",
    // downstream() without its context (sleep gets todo()), called from profile() (which has ctx) and from a second
    // file without a context: Thread ctx must give back the example as it is, and pass todo() in the other file.
    files: () => {
      const text = service()
        .replace('import { sleep, withTimeout, type Context } from "ctxkit";', 'import { sleep, todo, withTimeout, type Context } from "ctxkit";')
        .replace("async function downstream(ctx: Context, branch: string, ms: number)", "export async function downstream(branch: string, ms: number)")
        .replace("await sleep(ctx, ms);", "await sleep(todo(), ms);")
        .replace("downstream(ctx, branch, ms)", "downstream(branch, ms)");
      assert.ok(text.includes("sleep(todo(), ms)") && text.includes("downstream(branch, ms))"), "examples/src/service.ts no longer has the lines this scenario edits");
      return { "src/service.ts": text, "src/warm.ts": `import { downstream } from "./service.js";\n\nexport const warm = () => downstream("warm", 0);\n` };
    },
    target: "src/service.ts",
    check: (ws) => {
      const expected = service().replace("async function downstream(ctx: Context", "export async function downstream(ctx: Context");
      assert.equal(ws.read("src/service.ts"), expected);
      assert.equal(ws.read("src/warm.ts"), `import { downstream } from "./service.js";\nimport { todo } from "ctxkit";\n\nexport const warm = () => downstream(todo(), "warm", 0);\n`);
    },
  },
];

function hasNvim(): boolean {
  try {
    execFileSync("nvim", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function runNeovim(ws: TempWorkspace, scenario: NeovimScenario): Promise<{ code: number | null; out: string }> {
  const home = path.join(ws.dir, ".nvim-home");
  fs.mkdirSync(home, { recursive: true });
  const env = {
    ...process.env,
    XDG_CACHE_HOME: path.join(home, "cache"),
    XDG_STATE_HOME: path.join(home, "state"),
    XDG_DATA_HOME: path.join(home, "data"),
    XDG_CONFIG_HOME: path.join(home, "config"),
    SERVER_JS,
    ROOT_DIR: ws.dir,
    TARGET_FILE: ws.file(scenario.target),
    SCENARIO: path.join(__dirname, "nvim", scenario.lua),
  };
  const harness = path.join(__dirname, "nvim", "harness.lua");
  return new Promise((resolve) => {
    const child = spawn("nvim", ["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", `luafile ${harness}`], { env, cwd: ws.dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("server in Neovim (headless)", function () {
  this.timeout(120000);
  before(function () {
    if (!hasNvim()) {
      if (process.env.CTXKIT_CI === "1") throw new Error("nvim is not installed (it is in .ci/system-packages.sh)");
      this.skip();
    }
    assert.ok(fs.existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build`);
  });

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const ws = tempWorkspace(scenario.files());
      try {
        const { code, out } = await runNeovim(ws, scenario);
        assert.equal(code, 0, `nvim exited with ${code}:\n${out}`);
        assert.match(out, /^PASS /m, out);
        if (process.env.CTXKIT_NVIM_LOG) console.log(out);
        scenario.check(ws);
      } finally {
        ws.remove();
      }
    });
  }
});
