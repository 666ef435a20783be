import rule from "../../../eslint-plugin/src/rules/await-before-dispose";
import { typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const h =
  `import { withCancel, withTimeout, withValue, createKey, type Context } from "ctxkit";\n` +
  `declare function work(ctx: Context): Promise<number>;\n` +
  `declare function sync(ctx: Context): number;\n` +
  `declare function other(): Promise<number>;\n` +
  `const key = createKey<string>("k");\n`;

const err = (context: string, how: "using" | "finally", factory = "withTimeout") => ({
  messageId: "returnedBeforeDispose" as const,
  data: { context, how, factory },
});

ruleTester.run("await-before-dispose", rule, {
  valid: [
    // Awaited: the scope stays open until the promise settles.
    { code: h + `export async function f(p: Context) { using s = withTimeout(p, 10); return await work(s.ctx); }` },
    { code: h + `export async function f(p: Context) { const [ctx, cancel] = withTimeout(p, 10); try { return await work(ctx); } finally { cancel(); } }` },
    // Not a promise: a plain value computed from the context is done before the scope closes.
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); return sync(s.ctx); }` },
    // A promise that does not use the scope's context.
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); void s; return other(); }` },
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); void s; return work(p); }` },
    // The return is after the scope's block.
    { code: h + `export function f(p: Context, x: boolean) { if (x) { using s = withTimeout(p, 10); void s.ctx; } return work(p); }` },
    // A plain value computed from the context is not the context: the promise does not use it later.
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); return Promise.resolve(sync(s.ctx)); }` },
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); const n = sync(s.ctx); return Promise.resolve(n); }` },
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); return Promise.resolve(s.ctx.err()); }` },
    // A nested function returns on its own (it runs whenever it is called).
    { code: h + `export async function f(p: Context) { using s = withTimeout(p, 10); const g = () => { return work(s.ctx); }; return await g(); }` },
    // A finally that does not cancel this scope.
    { code: h + `export function f(p: Context) { const [ctx, cancel] = withTimeout(p, 10); try { return work(ctx); } finally { console.log("x"); } }` },
    // Not ctxkit's using: any other disposable.
    { code: h + `declare function res(): Disposable & { ctx: Context };\nexport function f() { using s = res(); return work(s.ctx); }` },
  ],
  invalid: [
    {
      code: h + `export async function f(p: Context) { using s = withTimeout(p, 10); return work(s.ctx); }`,
      errors: [{ ...err("s.ctx", "using"), suggestions: [{ messageId: "suggestAwait", output: h + `export async function f(p: Context) { using s = withTimeout(p, 10); return await work(s.ctx); }` }] }],
    },
    // A non-async function returning the promise: no suggestion (making it async is a larger change).
    { code: h + `export function f(p: Context) { using s = withCancel(p); return work(s.ctx); }`, errors: [{ ...err("s.ctx", "using", "withCancel"), suggestions: [] }] },
    // try/finally with the cancel: the same footgun.
    {
      code: h + `export async function f(p: Context) { const [ctx, cancel] = withTimeout(p, 10); try { return work(ctx); } finally { cancel(); } }`,
      errors: [{ ...err("ctx", "finally"), suggestions: [{ messageId: "suggestAwait", output: h + `export async function f(p: Context) { const [ctx, cancel] = withTimeout(p, 10); try { return await work(ctx); } finally { cancel(); } }` }] }],
    },
    // The catch block also runs before the finally.
    {
      code: h + `export function f(p: Context) { const s = withTimeout(p, 10); try { throw new Error("x"); } catch { return work(s.ctx); } finally { s.cancel(); } }`,
      errors: [{ ...err("s.ctx", "finally"), suggestions: [] }],
    },
    // Derived contexts and stored promises are followed through locals.
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); const child = withValue(s.ctx, key, "v"); return work(child); }`, errors: [{ ...err("s.ctx", "using"), suggestions: [] }] },
    { code: h + `export function f(p: Context) { using s = withTimeout(p, 10); const pending = work(s.ctx); return pending; }`, errors: [{ ...err("s.ctx", "using"), suggestions: [] }] },
    // An options object that holds the signal carries the context into the call.
    {
      code: h + `declare function get(url: string, init: { signal: AbortSignal }): Promise<string>;\nexport function f(p: Context) { using s = withTimeout(p, 10); const init = { signal: s.ctx.signal }; return get("u", init); }`,
      errors: [{ ...err("s.ctx", "using"), suggestions: [] }],
    },
    // A .then chain over the scope's promise is still a promise that uses it; in a nested block of the scope.
    {
      code: h + `export function f(p: Context, x: boolean) { using s = withTimeout(p, 10); if (x) { return work(s.ctx).then((n) => n + 1); } return Promise.resolve(0); }`,
      errors: [{ ...err("s.ctx", "using"), suggestions: [] }],
    },
    // A helper that returns a ctxkit cancel scope, and a `for (using …)` binding: the scope's type says what it is.
    {
      code: h + `declare function requestScope(p: Context): import("ctxkit").CancelScopeOf<() => void>;\nexport function f(p: Context) { using s = requestScope(p); return work(s.ctx); }`,
      errors: [{ ...err("s.ctx", "using", "CancelScope"), suggestions: [] }],
    },
    {
      code: h + `export function f(ps: Context[]) { for (using s of ps.map((p) => withTimeout(p, 1))) { return work(s.ctx); } return other(); }`,
      errors: [{ ...err("s.ctx", "using", "CancelScope"), suggestions: [] }],
    },
    {
      code: h + `declare function requestScope(p: Context): import("ctxkit").CancelScopeOf<() => void>;\nexport function f(p: Context) { const [ctx, cancel] = requestScope(p); try { return work(ctx); } finally { cancel(); } }`,
      errors: [{ ...err("ctx", "finally", "CancelScope"), suggestions: [] }],
    },
    // Parenthesised when the argument needs it.
    {
      code: h + `export async function f(p: Context, x: boolean) { using s = withTimeout(p, 10); return x ? work(s.ctx) : other(); }`,
      errors: [{ ...err("s.ctx", "using"), suggestions: [{ messageId: "suggestAwait", output: h + `export async function f(p: Context, x: boolean) { using s = withTimeout(p, 10); return await (x ? work(s.ctx) : other()); }` }] }],
    },
  ],
});
