import { Linter } from "eslint";
import tseslint from "typescript-eslint";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import rule from "../../../eslint-plugin/src/rules/require-cancel";
import * as ts from "typescript";
import { createProgram } from "../harness";
import { fixtureDir, typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const head = `import { background, withCancel, withTimeout, withDeadline, fromSignal, type Context } from "ctxkit";\n`;
const helpers = `declare function fail(msg: string): never;\ndeclare const proc: { exit(code?: number): never };\ndeclare function work(ctx: Context): Promise<void>;\n`;
const h = head + helpers;

/** The code of a function body, wrapped so that line numbers are easy to state (the body starts on line 5). */
/** A `notOnAllPaths` error whose leaking return (or function end, `end`) is on `line`. */
const leak = (line: number, { end = false, factory = "withTimeout", name = "cancel" } = {}) => ({
  messageId: "notOnAllPaths" as const,
  data: { name, factory, line, where: end ? `the end of the function (line ${line})` : `the return on line ${line}` },
});

const fn = (body: string, sig = "export function f(p: Context, x: number)"): string => `${h}${sig} {\n${body}\n}`;

ruleTester.run("require-cancel", rule, {
  valid: [
    { code: head + `export function f(p: Context) { const [ctx, cancel] = withTimeout(p, 10); cancel(); return ctx; }` },
    { code: head + `export function f(p: Context) { using s = withTimeout(p, 10); return s.ctx.err(); }` },
    { code: head + `export async function f(p: Context) { await using s = withTimeout(p, 10); return s.ctx.err(); }` },
    { code: head + `export function f(p: Context) { const s = withCancel(p); return s; }` },
    { code: head + `export function f(p: Context) { const { ctx, cancel } = withCancel(p); setTimeout(cancel, 5); return ctx; }` },
    { code: head + `export function f(p: Context) { const [ctx, cancel] = withCancel(p); return { ctx, stop: cancel }; }` },
    // Not ctxkit's: a local function with the same name.
    { code: `function withTimeout(_a: unknown, _b: number) { return [1, 2]; }\nexport function f() { withTimeout(null, 1); }` },
    // Every path uses the cancel: if/else, switch, loops, early returns.
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x > 1) { cancel(); return 1; }\n  cancel();\n  return ctx;`) },
    { code: fn(`  const [, cancel] = withTimeout(p, 10);\n  switch (x) {\n    case 1: cancel(); return 1;\n    default: cancel();\n  }\n  return 2;`) },
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  for (let i = 0; i < x; i++) { if (i > 3) break; }\n  cancel();\n  return ctx;`) },
    // try/finally covers every path, including returns inside the try.
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  try {\n    if (x) return 1;\n    return work(ctx);\n  } finally {\n    cancel();\n  }`) },
    { code: fn(`  const s = withTimeout(p, 10);\n  try {\n    if (x) return 1;\n  } finally {\n    s.cancel();\n  }\n  return 2;`) },
    // A path that throws or calls a never-returning function is not a return.
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) throw new Error("bad");\n  cancel();\n  return ctx;`) },
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) fail("bad");\n  cancel();\n  return ctx;`) },
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) return fail("bad");\n  cancel();\n  return ctx;`) },
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) { proc.exit(1); }\n  cancel();\n  return ctx;`) },
    // The real process.exit of @types/node returns never.
    { code: `/// <reference types="node" />\n` + fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) process.exit(1);\n  cancel();\n  return ctx;`) },
    // Closures count where they are created; a hoisted function declaration counts everywhere.
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  const stop = () => cancel();\n  if (x) return stop;\n  return ctx;`) },
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) return ctx;\n  stop();\n  return 1;\n  function stop() { cancel(); }`) },
    // Labeled break out of nested loops to a cancel.
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  outer: for (;;) { for (;;) { if (x) break outer; } }\n  cancel();\n  return ctx;`) },
    // Returned or passed on some path, called on the others.
    { code: fn(`  const s = withDeadline(p, 5);\n  if (x) return s;\n  s.cancel();\n  return 0;`) },
    // A cancel stored in an outer variable escapes this function.
    { code: head + `let stop: () => void = () => {};\nexport function f(p: Context, x: number) { let ctx: Context; [ctx, stop] = withCancel(p); if (x) return ctx; stop(); return ctx; }` },
    // Reassigned inside the function and used on every path.
    { code: head + `export function f(p: Context, x: number) { let cancel: () => void; let ctx: Context; [ctx, cancel] = withCancel(p); if (x) { cancel(); return ctx; } cancel(); return 1; }` },
    // Module level: the module does not return, only a never-used cancel counts.
    { code: head + `export const [rootCtx, stopRoot] = withCancel(background());\nif (Math.random() > 2) stopRoot();` },
    // Logical short-circuit: the use is conditional but the path without it ends in a throw.
    { code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  try { return work(ctx); } catch (e) { throw e; } finally { cancel(); }`) },
    // An exhaustive switch: the checker knows the end of the function is not reached (no `undefined` in the type).
    { code: h + `export function f(p: Context, k: "a" | "b") {\n  const [ctx, cancel] = withCancel(p);\n  switch (k) {\n    case "a": cancel(); return 1;\n    case "b": cancel(); return ctx ? 2 : 3;\n  }\n}` },
    // fromSignal and aliases are factories too, and handled the same way.
    { code: `import { fromSignal as fs, type Context } from "ctxkit";\nexport function f(p: Context, sig: AbortSignal) { const [ctx, cancel] = fs(p, sig); cancel(); return ctx; }` },
  ],
  invalid: [
    { code: head + `export function f(p: Context) { withTimeout(p, 10); }`, errors: [{ messageId: "discarded" }] },
    { code: head + `export function f(p: Context) { const [ctx] = withTimeout(p, 10); return ctx; }`, errors: [{ messageId: "discarded" }] },
    { code: head + `export function f() { return withCancel(background()).ctx; }`, errors: [{ messageId: "discarded" }] },
    // Discarded by the binding: bind the scope with `using` and take the context from it.
    {
      code: head + `export function f(p: Context) {\n  const [ctx] = withTimeout(p, 10);\n  return ctx.err();\n}`,
      errors: [{ messageId: "discarded", suggestions: [{ messageId: "suggestUsing", output: head + `export function f(p: Context) {\n  using scope = withTimeout(p, 10);\n  const [ctx] = scope;\n  return ctx.err();\n}` }] }],
    },
    {
      code: head + `export function f(p: Context) {\n  const ctx = withTimeout(p, 10).ctx;\n  return ctx.err();\n}`,
      errors: [{ messageId: "discarded", suggestions: [{ messageId: "suggestUsing", output: head + `export function f(p: Context) {\n  using scope = withTimeout(p, 10);\n  const ctx = scope.ctx;\n  return ctx.err();\n}` }] }],
    },
    { code: head + `export function f(p: Context) { const { ctx } = withCancel(p); return ctx; }`, errors: [{ messageId: "discarded" }] },
    {
      code: head + `export function f(p: Context) { const [ctx, cancel] = withCancel(p); return ctx; }`,
      errors: [{ messageId: "unused", data: { name: "cancel", factory: "withCancel" } }],
    },
    {
      code: head + `export function f(p: Context) { const s = withTimeout(p, 5); return 1; }`,
      errors: [{ messageId: "unused", suggestions: [{ messageId: "suggestUsing", output: head + `export function f(p: Context) { using s = withTimeout(p, 5); return 1; }` }] }],
    },
    // Reading only the context off a whole-scope binding is not a use of its cancel.
    { code: head + `export function f(p: Context) { const s = withTimeout(p, 5); return s.ctx; }`, errors: [{ messageId: "unused", data: { name: "s", factory: "withTimeout" } }] },
    // An aliased import is still ctxkit's.
    { code: `import { withCancel as wc, type Context } from "ctxkit";\nexport function f(p: Context) { wc(p); }`, errors: [{ messageId: "discarded", data: { factory: "withCancel" } }] },
    // Early return skips the cancel: the report names that return.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x > 1) return 1;\n  cancel();\n  return ctx;`),
      errors: [{ ...leak(7), line: 6 }],
    },
    // Falling off the end of the function is a return too.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x > 1) { cancel(); return 1; }\n  void ctx;`),
      errors: [
        {
          ...leak(9, { end: true }),
          suggestions: [
            { messageId: "suggestUsing", output: fn(`  using scope = withTimeout(p, 10);\n  const [ctx, cancel] = scope;\n  if (x > 1) { cancel(); return 1; }\n  void ctx;`) },
            {
              messageId: "suggestFinally",
              data: { cancel: "cancel()" },
              output: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  try {\n    if (x > 1) { cancel(); return 1; }\n    void ctx;\n  } finally {\n    cancel();\n  }`),
            },
          ],
        },
      ],
    },
    // switch: one case returns without the cancel.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  switch (x) {\n    case 1: return 1;\n    default: cancel();\n  }\n  return ctx;`),
      errors: [leak(8)],
    },
    // A loop can exit (break) before the cancel inside it runs.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  while (x > 0) {\n    if (x === 3) break;\n    cancel();\n    x--;\n  }\n  return ctx;`),
      errors: [leak(12)],
    },
    // continue skips the cancel in a loop body; the loop ends and the function returns.
    {
      code: fn(`  for (const y of [1, 2]) {\n    const [ctx, cancel] = withTimeout(p, y);\n    if (x) continue;\n    cancel();\n    void ctx;\n  }\n  return 0;`),
      errors: [
        {
          ...leak(12),
          line: 7,
          suggestions: [
            {
              messageId: "suggestUsing",
              output: fn(`  for (const y of [1, 2]) {\n    using scope = withTimeout(p, y);\n    const [ctx, cancel] = scope;\n    if (x) continue;\n    cancel();\n    void ctx;\n  }\n  return 0;`),
            },
            {
              messageId: "suggestFinally",
              data: { cancel: "cancel()" },
              output: fn(`  for (const y of [1, 2]) {\n    const [ctx, cancel] = withTimeout(p, y);\n    try {\n      if (x) continue;\n      cancel();\n      void ctx;\n    } finally {\n      cancel();\n    }\n  }\n  return 0;`),
            },
          ],
        },
      ],
    },
    // A labeled break jumps over the cancel.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  done: {\n    if (x) break done;\n    cancel();\n  }\n  return ctx;`),
      errors: [leak(11)],
    },
    // try/catch: the catch returns without the cancel.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  try {\n    if (x) throw new Error("x");\n    cancel();\n  } catch {\n    return 1;\n  }\n  return ctx;`),
      errors: [leak(11)],
    },
    // A return inside try whose finally does not cancel.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  try {\n    if (x) return 1;\n  } finally {\n    void ctx;\n  }\n  cancel();\n  return ctx;`),
      errors: [leak(8)],
    },
    // A call that may return (not `never`) does not end the path.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) { void work(ctx); return 3; }\n  cancel();\n  return ctx;`),
      errors: [leak(7)],
    },
    // process.exitCode is not process.exit(): the path goes on to the return.
    {
      code: `/// <reference types="node" />\n` + fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) { process.exitCode = 1; return ctx; }\n  cancel();\n  return ctx;`),
      errors: [leak(8)],
    },
    // A closure created after the early return does not cover it.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) return ctx;\n  return () => cancel();`),
      errors: [leak(7)],
    },
    // Short-circuit: `x && cancel()` leaves a path without it.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  x > 0 && cancel();\n  return ctx;`),
      errors: [leak(8)],
    },
    // A switch that is not exhaustive does fall off the end.
    {
      code: h + `export function f(p: Context, k: string) {\n  const [ctx, cancel] = withCancel(p);\n  switch (k) {\n    case "a": cancel(); return 1;\n    case "b": cancel(); return ctx ? 2 : 3;\n  }\n}`,
      errors: [leak(11, { end: true, factory: "withCancel" })],
    },
    // Nested functions are checked on their own paths; arrow functions too.
    {
      code: h + `export const g = (p: Context, x: number) => {\n  const [ctx, cancel] = withCancel(p);\n  if (x) return ctx;\n  cancel();\n  return ctx;\n};`,
      errors: [leak(7, { factory: "withCancel" })],
    },
    // Suggestions: `using` for a whole-scope binding, and try/finally.
    {
      code: fn(`  const s = withTimeout(p, 10);\n  if (x) return 1;\n  s.cancel();\n  return 2;`),
      errors: [
        {
          messageId: "notOnAllPaths",
          suggestions: [
            { messageId: "suggestUsing", output: fn(`  using s = withTimeout(p, 10);\n  if (x) return 1;\n  s.cancel();\n  return 2;`) },
            {
              messageId: "suggestFinally",
              data: { cancel: "s.cancel()" },
              output: fn(`  const s = withTimeout(p, 10);\n  try {\n    if (x) return 1;\n    s.cancel();\n    return 2;\n  } finally {\n    s.cancel();\n  }`),
            },
          ],
        },
      ],
    },
    // Destructuring: `using scope = ...; const [ctx, cancel] = scope;`.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) return 1;\n  ctx.err();\n  cancel();\n  return 2;`),
      errors: [
        {
          messageId: "notOnAllPaths",
          suggestions: [
            {
              messageId: "suggestUsing",
              output: fn(`  using scope = withTimeout(p, 10);\n  const [ctx, cancel] = scope;\n  if (x) return 1;\n  ctx.err();\n  cancel();\n  return 2;`),
            },
            {
              messageId: "suggestFinally",
              data: { cancel: "cancel()" },
              output: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  try {\n    if (x) return 1;\n    ctx.err();\n    cancel();\n    return 2;\n  } finally {\n    cancel();\n  }`),
            },
          ],
        },
      ],
    },
    // No suggestion when the context leaves the block through a return (disposal would cancel it under the caller).
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) return work(ctx);\n  cancel();\n  return 2;`),
      errors: [{ messageId: "notOnAllPaths", suggestions: [] }],
    },
    // No suggestion when the cancel escapes on another path (passed on): cancelling at exit would break it.
    {
      code: fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x) return 1;\n  setTimeout(cancel, 5);\n  return ctx.err();`),
      errors: [{ messageId: "notOnAllPaths", suggestions: [] }],
    },
    // A never-used cancel gets the suggestions too; the template literal is not re-indented.
    {
      code: fn(`  const [ctx, cancel] = withCancel(p);\n  const msg = \`a\nb\`;\n  return ctx.err() ?? msg;`),
      errors: [
        {
          messageId: "unused",
          suggestions: [
            { messageId: "suggestUsing", output: fn(`  using scope = withCancel(p);\n  const [ctx, cancel] = scope;\n  const msg = \`a\nb\`;\n  return ctx.err() ?? msg;`) },
            {
              messageId: "suggestFinally",
              output: fn(`  const [ctx, cancel] = withCancel(p);\n  try {\n    const msg = \`a\nb\`;\n    return ctx.err() ?? msg;\n  } finally {\n    cancel();\n  }`),
            },
          ],
        },
      ],
    },
  ],
});

// The report also names the leaking return as a node in `data` (the language server turns it into related
// information): checked through the descriptors a real Linter run hands to `context.report`.
describe("require-cancel data.leakingReturnNode", () => {
  // Its own program over an in-memory file (not the RuleTester's shared watch program, whose state depends on
  // what ran before), with the fixture tsconfig's options.
  function reportsOf(code: string): { data?: Record<string, unknown> }[] {
    const seen: { data?: Record<string, unknown> }[] = [];
    const observed = {
      ...rule,
      create(context: Parameters<typeof rule.create>[0]) {
        // ESLint freezes the context: shadow `report` on an object that inherits everything else from it.
        const observedContext = Object.create(context) as typeof context;
        Object.defineProperty(observedContext, "report", { value: (d: { data?: Record<string, unknown> }) => seen.push(d) });
        return rule.create(observedContext);
      },
    };
    const file = path.join(fixtureDir, "leaking-return.ts");
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(fixtureDir, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    assert.ok(parsed, "the fixture tsconfig parses");
    const program = createProgram([file], parsed.options, new Map([[file, code]]));
    const linter = new Linter({ cwd: path.resolve(fixtureDir, "../../..") });
    const config = [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser as Linter.Parser, parserOptions: { programs: [program], project: false, projectService: false } },
        plugins: { t: { rules: { r: observed } } as never },
        rules: { "t/r": "error" as const },
      },
    ];
    const messages = linter.verify(code, config, { filename: file });
    assert.deepEqual(messages.filter((m) => m.fatal), []);
    assert.equal(seen.length, 1, `one report, got ${JSON.stringify(messages.map((m) => m.message))}`);
    return seen;
  }

  it("is the return statement that leaks", () => {
    const [report] = reportsOf(fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x > 1) return 1;\n  cancel();\n  return ctx;`));
    const node = report?.data?.leakingReturnNode as { type?: string; loc?: { start: { line: number } } } | undefined;
    assert.equal(node?.type, "ReturnStatement");
    assert.equal(node?.loc?.start.line, 7);
  });

  it("is the closing brace when the function falls off its end", () => {
    const [report] = reportsOf(fn(`  const [ctx, cancel] = withTimeout(p, 10);\n  if (x > 1) { cancel(); return 1; }\n  void ctx;`));
    const loc = report?.data?.leakingReturnNode as { start: { line: number; column: number } } | undefined;
    assert.deepEqual(loc?.start, { line: 9, column: 0 });
  });
});
