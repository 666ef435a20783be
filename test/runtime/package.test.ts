import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";

// The published shape of `ctxkit`, checked on the build output (`npm test` builds first) through Node's own
// resolution, with no tsx in between.
const root = join(__dirname, "..", "..");
const pkgDir = join(root, "runtime");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as {
  dependencies?: object; peerDependencies?: object; optionalDependencies?: object; sideEffects?: unknown; type?: string;
  exports: Record<string, string | Record<string, { types: string; default: string }>>;
};

/** Runs a script under plain `node` from the repo root; returns stdout, and fails on an error or any stderr output. */
function node(args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "", "no warning or error on stderr (e.g. a module-type reparse warning)");
  return r.stdout;
}
const probe = (load: string): string => `
${load}
const names = (m) => Object.keys(m).filter((k) => k !== "default" && k !== "__esModule").sort();
const [ctx, cancel] = core.withTimeout(core.background(), 60000);
const [inc, cancelInc] = nodeApi.withIncomingDeadline(ctx, { "grpc-timeout": "1S" });
cancel();
console.log(JSON.stringify({
  core: names(core), node: names(nodeApi),
  works: ctx.err() === core.Canceled && inc.err() === core.Canceled && core.cause(inc) === core.Canceled,
  header: nodeApi.deadlineHeaders(core.withTimeout(core.background(), 1500).ctx)["grpc-timeout"] !== undefined,
}));
cancelInc();`;

describe("ctxkit package shape", () => {
  it("package.json: zero dependencies, sideEffects false, an exports map for . and ./node", () => {
    assert.equal(pkg.dependencies, undefined);
    assert.equal(pkg.peerDependencies, undefined);
    assert.equal(pkg.optionalDependencies, undefined);
    assert.equal(pkg.sideEffects, false);
    assert.deepEqual(Object.keys(pkg.exports).sort(), [".", "./node", "./package.json"]);
  });

  it("every exports condition points at a built file, with .d.ts for import and .d.cts for require", () => {
    for (const entry of [".", "./node"]) {
      const conds = pkg.exports[entry] as Record<string, { types: string; default: string }>;
      assert.deepEqual(Object.keys(conds), ["import", "require"], entry);
      assert.match(conds.import!.types, /\.d\.ts$/);
      assert.match(conds.require!.types, /\.d\.cts$/);
      for (const c of [conds.import!, conds.require!]) {
        for (const f of [c.types, c.default]) assert.ok(existsSync(join(pkgDir, f)), `${entry}: ${f} missing (run npm run build)`);
      }
    }
  });

  it("import() and require() of ctxkit and ctxkit/node resolve to working modules with the same API names, without warnings", () => {
    const esm = JSON.parse(
      node(["--input-type=module", "-e", probe(`const core = await import("ctxkit"); const nodeApi = await import("ctxkit/node");`)]),
    ) as { core: string[]; node: string[]; works: boolean; header: boolean };
    const cjs = JSON.parse(node(["-e", `(async () => {${probe(`const core = require("ctxkit"); const nodeApi = require("ctxkit/node");`)}})()`])) as typeof esm;
    assert.deepEqual(esm.core, cjs.core);
    assert.deepEqual(esm.node, cjs.node);
    for (const name of ["background", "todo", "withCancel", "withTimeout", "withDeadline", "withValue", "createKey", "withCancelCause", "withTimeoutCause", "withDeadlineCause", "withoutCancel", "afterFunc", "cause", "race", "sleep", "fromSignal", "Canceled", "DeadlineExceeded"]) {
      assert.ok(esm.core.includes(name), `ctxkit exports ${name}`);
    }
    for (const name of ["requestContext", "deadlineHeaders", "withIncomingDeadline"]) assert.ok(esm.node.includes(name), `ctxkit/node exports ${name}`);
    assert.deepEqual([esm.works, esm.header, cjs.works, cjs.header], [true, true, true, true], "ctxkit/node shares the core's singletons");
  });

  it("the declarations type-check for ESM and CommonJS consumers, each resolving its own .d.ts / .d.cts", function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), "ctxkit-types-"));
    try {
      symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
      const body = (imp: string): string => `${imp}
const s = withTimeout(background(), 10);
const [ctx, cancel] = s;
const inc: Context = withIncomingDeadline(ctx, { "grpc-timeout": "1S" }).ctx;
const e: Error | undefined = inc.err();
const k = createKey<number>("n");
const n: number | undefined = withValue(ctx, k, 1).value(k);
cancel();
export { e, n };
`;
      writeFileSync(join(dir, "esm.mts"), body(`import { background, createKey, withTimeout, withValue, type Context } from "ctxkit";\nimport { withIncomingDeadline } from "ctxkit/node";`));
      writeFileSync(join(dir, "cjs.cts"), body(`import { background, createKey, withTimeout, withValue, type Context } from "ctxkit";\nimport nodeApi = require("ctxkit/node");\nconst { withIncomingDeadline } = nodeApi;`));
      writeFileSync(join(dir, "bad.mts"), `import { withTimeout } from "ctxkit";\nwithTimeout("nope");\n`);
      const program = ts.createProgram([join(dir, "esm.mts"), join(dir, "cjs.cts"), join(dir, "bad.mts")], {
        module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022,
        strict: true, noEmit: true, skipLibCheck: true, lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"], types: ["node"],
      });
      const diags = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.slice(dir.length + 1) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      const resolved = (file: string, spec: string): string | undefined => {
        const mode = file.endsWith(".mts") ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS;
        return ts.resolveModuleName(spec, join(dir, file), program.getCompilerOptions(), ts.sys, undefined, undefined, mode).resolvedModule?.resolvedFileName;
      };
      assert.match(resolved("esm.mts", "ctxkit") ?? "", /runtime\/dist\/index\.d\.ts$/);
      assert.match(resolved("esm.mts", "ctxkit/node") ?? "", /runtime\/dist\/node\.d\.ts$/);
      assert.match(resolved("cjs.cts", "ctxkit") ?? "", /runtime\/dist\/index\.d\.cts$/);
      assert.match(resolved("cjs.cts", "ctxkit/node") ?? "", /runtime\/dist\/node\.d\.cts$/);
      assert.deepEqual(diags.filter((d) => !d.startsWith("bad.mts")), []);
      // CommonJS users get one Context type: the ctxkit/node declarations refer to the CJS core's.
      const nodeCts = readFileSync(join(pkgDir, "dist", "node.d.cts"), "utf8");
      assert.match(nodeCts, /from "\.\/index\.cjs"/);
      assert.doesNotMatch(nodeCts, /from "\.\/index\.js"/);
      assert.ok(diags.some((d) => d.startsWith("bad.mts")), "a wrong call is a type error, so the check can fail");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
