// Builds every part of ctxkit into its dist/ folder with esbuild, plus .d.ts files with tsc.
//   runtime/dist        ESM + CJS + .d.ts for `ctxkit` and `ctxkit/node`
//   eslint-plugin/dist  CJS bundle of the plugin (eslint, typescript, typescript-eslint external)
//   dist/server.js      the language server, self-contained
//   dist/extension.js   the VS Code client (`vscode` external)
// Usage: node scripts/build.mjs [--no-types] [--only=runtime,plugin,server,extension]
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const at = (...p) => join(root, ...p);
const withTypes = !process.argv.includes("--no-types");
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const only = onlyArg ? new Set(onlyArg.slice("--only=".length).split(",")) : undefined;
const wanted = (part) => !only || only.has(part);
const started = Date.now();

function tsc(project) {
  execFileSync(process.execPath, [at("node_modules/typescript/lib/tsc.js"), "-p", at(project)], {
    stdio: "inherit",
  });
}

async function buildRuntime() {
  rmSync(at("runtime/dist"), { recursive: true, force: true });
  const entryPoints = ["index", "node"].map((n) => at("runtime/src", `${n}.ts`));
  // `ctxkit/node` must share the core's singletons (Canceled, background(), ...), so its import of
  // "./index.js" stays an import of the built core instead of a second bundled copy.
  const shareCore = (ext) => ({
    name: "share-core",
    setup(b) {
      b.onResolve({ filter: /^\.\/index\.js$/ }, (args) =>
        args.importer.endsWith("node.ts") ? { path: `./index${ext}`, external: true } : undefined,
      );
    },
  });
  const common = { entryPoints, bundle: true, target: "es2022", sourcemap: true, logLevel: "warning", outdir: at("runtime/dist"), external: ["node:*"] };
  await build({ ...common, platform: "neutral", format: "esm", plugins: [shareCore(".js")] });
  await build({ ...common, platform: "node", format: "cjs", outExtension: { ".js": ".cjs" }, plugins: [shareCore(".cjs")] });
  if (withTypes) {
    tsc("runtime/tsconfig.node.json");
    for (const f of readdirSync(at("runtime/dist"))) {
      // The CJS declarations must refer to each other, or `ctxkit` and `ctxkit/node` would declare two
      // unrelated `Context` types for CommonJS users.
      if (f.endsWith(".d.ts")) {
        const text = readFileSync(at("runtime/dist", f), "utf8").replaceAll('"./index.js"', '"./index.cjs"');
        writeFileSync(at("runtime/dist", f.replace(/\.d\.ts$/, ".d.cts")), text);
      }
    }
  }
}

async function buildPlugin() {
  if (!existsSync(at("eslint-plugin/src/index.ts"))) return;
  rmSync(at("eslint-plugin/dist"), { recursive: true, force: true });
  await build({
    entryPoints: [at("eslint-plugin/src/index.ts")],
    outfile: at("eslint-plugin/dist/index.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: true,
    packages: "external",
    logLevel: "warning",
  });
  if (withTypes && existsSync(at("eslint-plugin/tsconfig.json"))) tsc("eslint-plugin/tsconfig.json");
}

async function buildServer() {
  if (!existsSync(at("server/src/main.ts"))) return;
  await build({
    entryPoints: { server: at("server/src/main.ts") },
    outdir: at("dist"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    banner: { js: "#!/usr/bin/env node" },
    // ESLint's config loader imports jiti only to load TypeScript config files; the server never loads config files.
    external: ["jiti", "jiti/*"],
  });
  // The bundled TypeScript looks for its lib .d.ts files beside itself; the server finds them in dist/typescript-lib.
  const libDir = at("node_modules/typescript/lib");
  mkdirSync(at("dist/typescript-lib"), { recursive: true });
  for (const f of readdirSync(libDir)) if (/^lib\..*\.d\.ts$/.test(f)) copyFileSync(join(libDir, f), at("dist/typescript-lib", f));
  chmodSync(at("dist/server.js"), 0o755); // the `ctxkit-language-server` bin
}

async function buildExtension() {
  if (!existsSync(at("extension/src/extension.ts"))) return;
  await build({
    entryPoints: { extension: at("extension/src/extension.ts") },
    outdir: at("dist"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: true,
    external: ["vscode"],
    logLevel: "warning",
  });
}

if (wanted("runtime")) await buildRuntime();
if (wanted("plugin")) await buildPlugin();
await Promise.all([wanted("server") && buildServer(), wanted("extension") && buildExtension()]);
console.log(`built in ${Date.now() - started} ms`);
