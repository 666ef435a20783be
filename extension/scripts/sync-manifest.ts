// Writes the plugin's rules into the manifest's `ctxkit.rules` setting (root package.json), leaving the rest
// of the file as it is. Run after adding or renaming a rule: npx tsx extension/scripts/sync-manifest.ts
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ruleProperties } from "./manifestRules";

const file = join(__dirname, "..", "..", "package.json");
const manifest = JSON.parse(readFileSync(file, "utf8")) as {
  contributes: { configuration: { properties: Record<string, { properties?: unknown }> } };
};
const setting = manifest.contributes.configuration.properties["ctxkit.rules"];
if (!setting) throw new Error("package.json has no ctxkit.rules setting under contributes.configuration.properties");
setting.properties = ruleProperties();
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`ctxkit.rules: ${Object.keys(setting.properties as object).length} rules written to ${file}`);
