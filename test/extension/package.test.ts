/**
 * `npm run package` builds the bundles and writes dist/ctxkit-vscode.vsix with @vscode/vsce; the .vsix
 * holds exactly the bundles, the manifest, README, CHANGELOG, LICENSE and the icon (.vscodeignore).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const vsix = join(root, "dist", "ctxkit-vscode.vsix");

describe("extension: npm run package", function () {
  this.timeout(180_000);
  let entries: string[] = [];

  before(function () {
    // From a fresh state: no package left over from an earlier run.
    rmSync(vsix, { force: true });
    const run = spawnSync("npm", ["run", "package"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    assert.equal(run.status, 0, `npm run package failed:\n${run.stdout}\n${run.stderr}`);
    assert.ok(existsSync(vsix), "dist/ctxkit-vscode.vsix was written");
    entries = execFileSync("unzip", ["-Z1", vsix], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
  });

  it("holds exactly the bundles, TypeScript's lib files, the manifest, README, CHANGELOG, LICENSE and the icon", () => {
    const expected = [
      "[Content_Types].xml",
      "extension.vsixmanifest",
      "extension/LICENSE.txt",
      "extension/changelog.md",
      "extension/dist/extension.js",
      "extension/dist/server.js",
      "extension/extension/icon.png",
      "extension/package.json",
      "extension/readme.md",
    ];
    // Until the language server's entry point exists, the build has no server bundle to pack.
    const withServer = existsSync(join(root, "server/src/main.ts"));
    // The bundled TypeScript reads its lib .d.ts files from dist/typescript-lib (copied there by the build).
    const libs = withServer ? readdirSync(join(root, "dist", "typescript-lib")).filter((f) => /^lib\..*\.d\.ts$/.test(f)) : [];
    if (withServer) assert.ok(libs.includes("lib.es5.d.ts"), "the build copied TypeScript's lib files");
    const want = [...expected.filter((e) => withServer || e !== "extension/dist/server.js"), ...libs.map((f) => `extension/dist/typescript-lib/${f}`)].sort();
    assert.deepEqual(entries, want);
  });

  it("packs the manifest as it is and a self-contained client bundle", () => {
    const packed = JSON.parse(execFileSync("unzip", ["-p", vsix, "extension/package.json"], { encoding: "utf8" })) as { name: string; version: string; main: string };
    const ours = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as typeof packed;
    assert.deepEqual([packed.name, packed.version, packed.main], [ours.name, ours.version, ours.main]);
    const bundle = execFileSync("unzip", ["-p", vsix, "extension/dist/extension.js"], { encoding: "utf8", maxBuffer: 64 << 20 });
    assert.match(bundle, /require\("vscode"\)/, "vscode stays external");
    assert.doesNotMatch(bundle, /require\("vscode-languageclient/, "the language client is bundled, not required");
    assert.ok(statSync(vsix).size < 10 << 20, "the package stays small (no node_modules)");
  });
});
