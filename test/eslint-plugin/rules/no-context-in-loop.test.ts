import rule from "../../../eslint-plugin/src/rules/no-context-in-loop";
import { typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const h = `import { withValue, withTimeout, withCancel, withoutCancel, createKey, type Context } from "ctxkit";\nconst key = createKey<number>("n");\ndeclare function handle(ctx: Context, n: number): void;\n`;
const err = (name: string, callee: string) => ({ messageId: "rederivedInLoop" as const, data: { name, callee } });

ruleTester.run("no-context-in-loop", rule, {
  valid: [
    // A per-iteration context.
    { code: h + `export function f(ctx: Context, xs: number[]) { for (const x of xs) { const c = withValue(ctx, key, x); handle(c, x); } }` },
    // Declared inside the loop: fresh every iteration.
    { code: h + `export function f(ctx: Context, xs: number[]) { for (const x of xs) { let c = ctx; c = withValue(c, key, x); handle(c, x); } }` },
    // Not in a loop.
    { code: h + `export function f(ctx: Context) { ctx = withValue(ctx, key, 1); handle(ctx, 1); }` },
    // A callback inside the loop runs on its own.
    { code: h + `export function f(ctx: Context, xs: number[]) { for (const x of xs) { setTimeout(() => { ctx = withValue(ctx, key, x); }, 1); } }` },
    // Derived from something else.
    { code: h + `export function f(ctx: Context, base: Context, xs: number[]) { for (const x of xs) { ctx = withValue(base, key, x); handle(ctx, x); } }` },
    // Not ctxkit's withValue.
    { code: `declare function withValue<T>(a: T, k: string, v: number): T;\nexport function f(ctx: object, xs: number[]) { for (const x of xs) { ctx = withValue(ctx, "k", x); } }` },
    // The loop's init runs once.
    { code: h + `export function f(ctx: Context) { for (ctx = withValue(ctx, key, 0); ctx.err() === undefined; ) { break; } }` },
  ],
  invalid: [
    {
      code: h + `export function f(ctx: Context, xs: number[]) {\n  for (const x of xs) {\n    ctx = withValue(ctx, key, x);\n    handle(ctx, x);\n  }\n  handle(ctx, 0);\n}`,
      errors: [
        {
          ...err("ctx", "withValue"),
          line: 6,
          suggestions: [
            {
              messageId: "suggestPerIteration",
              data: { fresh: "ctxIter" },
              output: h + `export function f(ctx: Context, xs: number[]) {\n  for (const x of xs) {\n    const ctxIter = withValue(ctx, key, x);\n    handle(ctxIter, x);\n  }\n  handle(ctx, 0);\n}`,
            },
          ],
        },
      ],
    },
    // `.ctx` off a cancel scope, in a while loop; no suggestion when the variable is written again in the body.
    {
      code: h + `export function f(ctx: Context, n: number) { while (n-- > 0) { ctx = withTimeout(ctx, 10).ctx; handle(ctx, n); ctx = withValue(withoutCancel(p0), key, n); } }\ndeclare const p0: Context;`,
      errors: [{ ...err("ctx", "withTimeout"), suggestions: [] }],
    },
    // withoutCancel, last in the body: no later read, so no per-iteration variable to offer.
    {
      code: h + `export function f(ctx: Context, n: number) { while (n-- > 0) { handle(ctx, n); ctx = withoutCancel(ctx); } }`,
      errors: [{ ...err("ctx", "withoutCancel"), suggestions: [] }],
    },
    // Destructuring into the same variable, in a do/while and a for loop's update.
    {
      code: h + `export function f(ctx: Context) { let cancel = () => {}; do { [ctx, cancel] = withCancel(ctx); cancel(); } while (ctx.err() === undefined); }`,
      errors: [{ ...err("ctx", "withCancel"), suggestions: [] }],
    },
    {
      code: h + `export function f(ctx: Context) { for (let i = 0; i < 3; i++, ctx = withValue(ctx, key, i)) handle(ctx, i); }`,
      errors: [{ ...err("ctx", "withValue"), suggestions: [] }],
    },
    // A fresh name that does not clash.
    {
      code: h + `export function f(ctx: Context, xs: number[]) { const ctxIter = 1; for (const x of xs) { ctx = withValue(ctx, key, x + ctxIter); handle(ctx, x); } }`,
      errors: [
        {
          ...err("ctx", "withValue"),
          suggestions: [
            {
              messageId: "suggestPerIteration",
              data: { fresh: "ctxIter2" },
              output: h + `export function f(ctx: Context, xs: number[]) { const ctxIter = 1; for (const x of xs) { const ctxIter2 = withValue(ctx, key, x + ctxIter); handle(ctxIter2, x); } }`,
            },
          ],
        },
      ],
    },
  ],
});
