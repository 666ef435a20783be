/**
 * The rules table of eslint-plugin/README.md, rendered from the built plugin's metadata. The docs test checks
 * that the README holds exactly this table; after adding or changing a rule, rewrite it with
 *
 *     npm run build -- --only=plugin --no-types && node --import tsx test/eslint-plugin/rulesTable.ts --write
 */
import * as fs from "node:fs";
import * as path from "node:path";
import plugin from "eslint-plugin-ctxkit";

export const README = path.resolve(__dirname, "../../eslint-plugin/README.md");
const START = "<!-- rules:start -->";
const END = "<!-- rules:end -->";

export function renderRulesTable(): string {
  const rows = Object.keys(plugin.rules)
    .sort()
    .map((name) => {
      const { meta } = plugin.rules[name]!;
      const docs = meta.docs as { description?: string; recommended?: boolean };
      const fixes = [meta.fixable ? "🔧 fix" : "", meta.hasSuggestions ? "💡 suggestion" : ""].filter(Boolean).join(", ");
      return `| [\`${name}\`](docs/rules/${name}.md) | ${(docs.description ?? "").replace(/\|/g, "\\|")} | ${docs.recommended ? "✅" : ""} | ${fixes} |`;
    });
  return [START, "| rule | reports | recommended | fixes |", "|---|---|:---:|---|", ...rows, END].join("\n");
}

/** The README's current table section (markers included), or undefined when the markers are missing. */
export function readmeRulesTable(readme = fs.readFileSync(README, "utf8")): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  return start >= 0 && end > start ? readme.slice(start, end + END.length) : undefined;
}

if (process.argv.includes("--write")) {
  const readme = fs.readFileSync(README, "utf8");
  const current = readmeRulesTable(readme);
  if (current === undefined) throw new Error(`${README} has no ${START} … ${END} section`);
  fs.writeFileSync(README, readme.replace(current, renderRulesTable()));
  console.log(`rewrote the rules table of ${README}`);
}
