import rule from "../../../eslint-plugin/src/rules/no-unbounded-await";
import { typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const head = `import { race, sleep, withTimeout, withoutCancel, type Context } from "ctxkit";\nimport * as api from "fixture-api";\nimport type { CancellationToken } from "vscode-like";\n`;
const h = (code: string): string => head + code;

ruleTester.run("no-unbounded-await", rule, {
  valid: [
    // No context in scope.
    h(`export async function f() { await api.compute(1); }`),
    // Calls that received the context; race and sleep.
    h(`export async function f(ctx: Context) { await api.getUser(ctx, "1"); await sleep(ctx, 5); await race(ctx, api.compute(1)); }`),
    h(`export async function f(ctx: Context) { using s = withTimeout(ctx, 5); await race(s.ctx, api.compute(1)); }`),
    h(`export async function f(signal: AbortSignal) { await fetch("/u", { signal }); }`),
    // A call that lacks the context it accepts is no-dropped-context's report, not this rule's.
    h(`export async function f(signal: AbortSignal) { await fetch("/u"); }`),
    // Already-resolved values and non-thenables.
    h(`export async function f(ctx: Context, n: number) { await n; await Promise.resolve(1); void ctx; }`),
    // Promise.race with the context's done().
    h(`export async function f(ctx: Context) { await Promise.race([api.compute(1), ctx.done()]); }`),
    // Combinators and .then chains over bounded promises.
    h(`export async function f(ctx: Context, ids: string[]) { await Promise.all(ids.map((id) => api.getUser(ctx, id))); }`),
    h(`export async function f(ctx: Context) { await Promise.all([api.getUser(ctx, "1"), sleep(ctx, 1)]); }`),
    h(`export async function f(ctx: Context) { await api.getUser(ctx, "1").then((u) => u.length); }`),
    // A stored promise whose call received the context.
    h(`export async function f(ctx: Context) { const p = api.getUser(ctx, "1"); await p; }`),
    // The body of a Response whose fetch received the signal.
    h(`export async function f(signal: AbortSignal) { const res = await fetch("/u", { signal }); return await res.json(); }`),
    h(`export async function f(ctx: Context) { const res = await fetch("/u", { signal: ctx.signal }); for await (const chunk of res.body!) void chunk; }`),
    // A new Promise wired to the signal.
    h(`export async function f(signal: AbortSignal) { await new Promise<void>((resolve, reject) => { const t = setTimeout(resolve, 5); signal.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); }); }); }`),
    // An iterator made with the signal.
    h(`export async function f(signal: AbortSignal) { for await (const line of api.stream("/u", { signal })) void line; }`),
    // Work under withoutCancel(ctx) is an explicit opt-out.
    h(`export async function f(ctx: Context) { const bg = withoutCancel(ctx); await api.compute(1); void bg; }`),
    h(`export async function f(ctx: Context) { await api.getUser(withoutCancel(ctx), "1"); }`),
    // A local helper: its own awaits are checked.
    h(`export async function f(ctx: Context) { const step = async () => { await sleep(ctx, 1); }; await step(); }`),
    // Timers: the context does not flow into them.
    h(`export function f(ctx: Context) { setTimeout(async () => { await api.compute(1); }, 1); void ctx; }`),
    // An object that carries the context owns it: its methods are bound to it (a Request's body read), and a
    // member of an object literal that carries the context is judged where it is called.
    h(`export async function f(req: Request) { return await req.json(); }`),
    h(`interface Req { ctx: Context; apply(label: string): Promise<boolean> }\nexport async function f(request: Req) { return await request.apply("x"); }`),
    h(`declare function run(r: { ctx: Context; apply: () => Promise<number> }): Promise<number>;\nexport async function f(ctx: Context) { using s = withTimeout(ctx, 5); return await run({ ctx: s.ctx, apply: async () => await api.compute(1) }); }`),
    // A function made by a call that received the context is bound to it; so is a callback that uses the context.
    h(`declare function prepareRetries(o: { abortSignal?: AbortSignal }): { retry: <T>(f: () => Promise<T>) => Promise<T> };\nexport async function f(signal: AbortSignal) { const { retry } = prepareRetries({ abortSignal: signal }); return await retry(() => api.compute(1)); }`),
    h(`declare function withSpan<T>(name: string, f: () => Promise<T>): Promise<T>;\nexport async function f(ctx: Context) { return await withSpan("load", () => api.getUser(ctx, "1")); }`),
    h(`export async function f(signal: AbortSignal) { const res = await fetch("/u", { signal }); return await res.clone().text(); }`),
    // Made by a call that got a context of unknown origin (a controller the class drives): not judged.
    h(`declare function create(o: { signal?: AbortSignal }): { withResponse(): Promise<number> };\nexport class R { controller = new AbortController();\n  async run(ctx: Context) { return await create({ signal: this.controller.signal }).withResponse(); } }`),
    // Awaiting the object that carries the context.
    h(`export async function f(opts: Promise<{ signal: AbortSignal }> | { signal: AbortSignal }) { return await opts; }`),
    // A callback handed in by the caller: its bound is the caller's to give.
    h(`export async function f(ctx: Context, job: () => Promise<void>, opts: { onDone?: (n: number) => Promise<void> }) { await job(); await opts.onDone?.(1); void ctx; }`),
    h(`export const run = (ctx: Context) => async ({ execute }: { execute: () => Promise<number> }) => await execute();`),
    // A configured bounding helper.
    { code: h(`declare function withAbort<T>(p: Promise<T>): Promise<T>;\nexport async function f(ctx: Context) { await withAbort(api.compute(1)); void ctx; }`), options: [{ boundingFunctions: ["withAbort"] }] },
  ],
  invalid: [
    {
      code: h(`export async function f(ctx: Context) { await api.compute(1); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`api.compute(…)`, a call that accepts no context", ctx: "ctx", advice: "wrap it in `race(ctx, …)`, or pass the context" }, suggestions: [{ messageId: "wrapInRace", data: { race: "race", ctx: "ctx" }, output: h(`export async function f(ctx: Context) { await race(ctx, api.compute(1)); }`) }] }],
    },
    {
      // The race import is added when missing.
      code: `import type { Context } from "ctxkit";\nimport * as api from "fixture-api";\nexport async function f(ctx: Context) { await api.compute(1); }`,
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: `import type { Context } from "ctxkit";\nimport * as api from "fixture-api";\nimport { race } from "ctxkit";\nexport async function f(ctx: Context) { await race(ctx, api.compute(1)); }` }] }],
    },
    {
      code: `import { sleep, type Context } from "ctxkit";\nimport * as api from "fixture-api";\nexport async function f(ctx: Context) { await sleep(ctx, 1); return await api.compute(1); }`,
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: `import { sleep, type Context, race } from "ctxkit";\nimport * as api from "fixture-api";\nexport async function f(ctx: Context) { await sleep(ctx, 1); return await race(ctx, api.compute(1)); }` }] }],
    },
    {
      // A stored promise.
      code: h(`export class C { private ready = Promise.resolve(); async f(ctx: Context) { await this.ready; void ctx; } }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "a stored promise (`this.ready`)", ctx: "ctx", advice: "wrap it in `race(ctx, …)`, or pass the context" }, suggestions: [{ messageId: "wrapInRace", output: h(`export class C { private ready = Promise.resolve(); async f(ctx: Context) { await race(ctx, this.ready); void ctx; } }`) }] }],
    },
    {
      code: h(`export async function f(ctx: Context, pending: Promise<void>) { await pending; }`),
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: h(`export async function f(ctx: Context, pending: Promise<void>) { await race(ctx, pending); }`) }] }],
    },
    {
      code: h(`export async function f(ctx: Context) { const p = api.compute(1); await p; }`),
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: h(`export async function f(ctx: Context) { const p = api.compute(1); await race(ctx, p); }`) }] }],
    },
    {
      // A sleep on a bare timer.
      code: h(`export async function f(ctx: Context) { await new Promise((r) => setTimeout(r, 100)); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "a `new Promise` with no abort wiring", ctx: "ctx", advice: "wrap it in `race(ctx, …)`, or pass the context" }, suggestions: [{ messageId: "wrapInRace", output: h(`export async function f(ctx: Context) { await race(ctx, new Promise((r) => setTimeout(r, 100))); }`) }] }],
    },
    {
      // Promise.all with one unbounded member.
      code: h(`export async function f(ctx: Context) { await Promise.all([api.getUser(ctx, "1"), api.compute(2)]); }`),
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: h(`export async function f(ctx: Context) { await race(ctx, Promise.all([api.getUser(ctx, "1"), api.compute(2)])); }`) }] }],
    },
    {
      // The body of a Response whose fetch did not get the signal is reported at the fetch (no-dropped-context);
      // a Response passed in is reported here.
      code: h(`export async function f(ctx: Context, res: Response) { return await res.json(); }`),
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: h(`export async function f(ctx: Context, res: Response) { return await race(ctx, res.json()); }`) }] }],
    },
    {
      // An iterator made without the signal; no race suggestion for an iterable.
      code: h(`export async function f(ctx: Context) { for await (const line of api.lines("/u")) void line; }`),
      errors: [{ messageId: "unbounded", data: { await: "`for await`", what: "an iterator made without the context", ctx: "ctx", advice: "wrap it in `race(ctx, …)` per step, or make the iterator with the context, or pass the context" }, suggestions: [] }],
    },
    {
      // A method of a service passed in is not a callback.
      code: h(`interface Db { query(sql: string): Promise<number> }\nexport async function f(ctx: Context, db: Db) { return await db.query("select 1"); }`),
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: h(`interface Db { query(sql: string): Promise<number> }\nexport async function f(ctx: Context, db: Db) { return await race(ctx, db.query("select 1")); }`) }] }],
    },
    {
      // Only a signal in scope: reported, no suggestion.
      code: h(`export async function f(signal: AbortSignal) { await api.compute(1); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`api.compute(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A vscode-like token in scope.
      code: h(`export async function f(token: CancellationToken) { await api.compute(1); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`api.compute(…)`, a call that accepts no context", ctx: "token", advice: "pass the CancellationToken, or stop when it is cancelled" }, suggestions: [] }],
    },
    {
      // A synchronous array callback's context flows into an async callback too.
      code: h(`export async function f(ctx: Context, ids: number[]) { await Promise.all(ids.map(async (id) => { await api.compute(id); })); }`),
      errors: [{ messageId: "unbounded", suggestions: [{ messageId: "wrapInRace", output: h(`export async function f(ctx: Context, ids: number[]) { await Promise.all(ids.map(async (id) => { await race(ctx, api.compute(id)); })); }`) }] }],
    },
  ],
});
