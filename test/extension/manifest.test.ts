/**
 * The root package.json is the extension's manifest. These checks keep it in step with the code it
 * describes: the plugin's rules, the shared settings, the commands the extension registers.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { contextTypesSchema } from "../../eslint-plugin/src/analysis/contextTypes";
import { rules } from "../../eslint-plugin/src/rules";
import { ruleProperties } from "../../extension/scripts/manifestRules";
import { CtxkitSettings } from "../../server/src/shared/settings";

const root = join(__dirname, "..", "..");
interface Manifest {
  name: string;
  publisher: string;
  main: string;
  icon: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean } };
  scripts: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, Record<string, unknown>> };
  };
}
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
const settings = manifest.contributes.configuration.properties;

describe("extension: manifest (root package.json)", () => {
  it("is ctxkit.ctxkit-vscode, runs the bundle, activates on TS/JS, supports untrusted workspaces", () => {
    assert.equal(`${manifest.publisher}.${manifest.name}`, "ctxkit.ctxkit-vscode");
    assert.equal(manifest.main, "./dist/extension.js");
    for (const lang of ["typescript", "typescriptreact", "javascript", "javascriptreact"]) {
      assert.ok(manifest.activationEvents.includes(`onLanguage:${lang}`), lang);
    }
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
    assert.match(manifest.scripts.package ?? "", /vsce package --no-dependencies -o dist\/ctxkit-vscode\.vsix/);
  });

  it("every ctxkit.* setting has a description and a default", () => {
    for (const key of ["ctxkit.enable", "ctxkit.rules", "ctxkit.contextTypes", "ctxkit.threadCtx.maxDepth", "ctxkit.trace.server"]) {
      assert.ok(settings[key], `${key} is declared`);
    }
    for (const [key, schema] of Object.entries(settings)) {
      assert.ok(key.startsWith("ctxkit."), key);
      assert.ok(typeof (schema.description ?? schema.markdownDescription) === "string", `${key} has a description`);
      assert.ok("default" in schema, `${key} has a default`);
    }
    assert.equal(settings["ctxkit.enable"]!.default, true);
    assert.deepEqual(settings["ctxkit.rules"]!.default, {});
    assert.equal(settings["ctxkit.contextTypes"]!.default, null);
    assert.equal(settings["ctxkit.trace.server"]!.default, "off");
  });

  it("ctxkit.rules declares exactly the plugin's rules, each a severity or [severity, options] with its description and default", () => {
    const declared = settings["ctxkit.rules"]!.properties as Record<string, unknown>;
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(rules).sort(),
      "package.json's ctxkit.rules is out of step with the plugin's rules: run npx tsx extension/scripts/sync-manifest.ts");
    assert.deepEqual(declared, ruleProperties(), "run npx tsx extension/scripts/sync-manifest.ts");
    for (const [name, schema] of Object.entries(declared as Record<string, { anyOf: { enum?: string[] }[] }>)) {
      assert.deepEqual(schema.anyOf[0]!.enum, ["off", "warn", "error"], name);
      for (const severity of schema.anyOf[0]!.enum!) assert.ok(CtxkitSettings.isRuleSeverity(severity), `${severity} is a severity the server accepts`);
    }
  });

  it("declares the defaults of the shared settings (server/src/shared/settings.ts)", () => {
    const defaults = CtxkitSettings.defaults();
    assert.equal(settings["ctxkit.enable"]!.default, defaults.enable);
    assert.deepEqual(settings["ctxkit.rules"]!.default, defaults.rules);
    assert.equal(settings["ctxkit.contextTypes"]!.default, defaults.contextTypes);
    assert.equal(settings["ctxkit.threadCtx.maxDepth"]!.default, defaults.threadCtx.maxDepth);
    assert.equal(settings["ctxkit.trace.server"]!.default, defaults.trace.server);
    assert.equal(CtxkitSettings.section, "ctxkit");
  });

  it("ctxkit.contextTypes accepts the same entries as the rules' contextTypes option", () => {
    const ours = (settings["ctxkit.contextTypes"]!.items as { oneOf: { properties: Record<string, { const?: string }>; required: string[] }[] }).oneOf;
    const theirs = ((contextTypesSchema as { items?: unknown }).items as { oneOf: { properties: Record<string, { enum?: string[] }>; required: string[] }[] }).oneOf;
    const shape = (variants: { properties: Record<string, { const?: string; enum?: string[] }>; required: string[] }[]) =>
      variants.map((v) => ({ from: v.properties.from?.const ?? v.properties.from?.enum?.[0], keys: Object.keys(v.properties).sort(), required: [...v.required].sort() }));
    assert.deepEqual(shape(ours), shape(theirs));
  });

  it("contributes ctxkit.threadCtx to the palette and the editor context menu for TS/JS", () => {
    const cmd = manifest.contributes.commands.find((c) => c.command === "ctxkit.threadCtx");
    assert.ok(cmd);
    assert.equal(`${cmd.category}: ${cmd.title}`, "ctxkit: Thread ctx through this function");
    for (const menu of ["editor/context", "commandPalette"]) {
      const entry = manifest.contributes.menus[menu]?.find((m) => m.command === "ctxkit.threadCtx");
      assert.ok(entry, menu);
      assert.match(entry.when ?? "", /typescript\|typescriptreact\|javascript\|javascriptreact/);
    }
  });

  it("every contributed command is registered by the extension", () => {
    const source = readFileSync(join(root, "extension/src/extension.ts"), "utf8");
    for (const { command } of manifest.contributes.commands) {
      assert.ok(source.includes(`registerCommand("${command}"`), `${command} is registered in extension/src/extension.ts`);
    }
  });

  it("has a 128x128 PNG icon", () => {
    const png = readFileSync(join(root, manifest.icon));
    assert.equal(png.subarray(1, 4).toString("ascii"), "PNG");
    assert.equal(png.subarray(12, 16).toString("ascii"), "IHDR");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });
});
