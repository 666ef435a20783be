import { RuleTester } from "@typescript-eslint/rule-tester";
import * as path from "node:path";
import plugin from "eslint-plugin-ctxkit";

RuleTester.afterAll = after;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester({
  languageOptions: {
    parserOptions: { project: "./tsconfig.json", tsconfigRootDir: path.join(__dirname, "../../fixtures/eslint-plugin") },
  },
});

const head = `import { background, withCancel, withTimeout, type Context } from "ctxkit";\n`;

ruleTester.run("require-cancel", plugin.rules["require-cancel"]!, {
  valid: [
    { code: head + `export function f(p: Context) { const [ctx, cancel] = withTimeout(p, 10); cancel(); return ctx; }` },
    { code: head + `export function f(p: Context) { using s = withTimeout(p, 10); return s.ctx.err(); }` },
    { code: head + `export function f(p: Context) { const s = withCancel(p); return s; }` },
    { code: head + `export function f(p: Context) { const { ctx, cancel } = withCancel(p); setTimeout(cancel, 5); return ctx; }` },
    { code: head + `export function f(p: Context) { const [ctx, cancel] = withCancel(p); return { ctx, stop: cancel }; }` },
    // Not ctxkit's: a local function with the same name.
    { code: `function withTimeout(_a: unknown, _b: number) { return [1, 2]; }\nexport function f() { withTimeout(null, 1); }` },
  ],
  invalid: [
    { code: head + `export function f(p: Context) { withTimeout(p, 10); }`, errors: [{ messageId: "discarded" }] },
    { code: head + `export function f(p: Context) { const [ctx] = withTimeout(p, 10); return ctx; }`, errors: [{ messageId: "discarded" }] },
    { code: head + `export function f() { return withCancel(background()).ctx; }`, errors: [{ messageId: "discarded" }] },
    { code: head + `export function f(p: Context) { const { ctx } = withCancel(p); return ctx; }`, errors: [{ messageId: "discarded" }] },
    { code: head + `export function f(p: Context) { const [ctx, cancel] = withCancel(p); return ctx; }`, errors: [{ messageId: "unused", data: { name: "cancel", factory: "withCancel" } }] },
    { code: head + `export function f(p: Context) { const s = withTimeout(p, 5); return 1; }`, errors: [{ messageId: "unused" }] },
  ],
});
