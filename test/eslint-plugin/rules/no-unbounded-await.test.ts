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
    // Hook slots and helpers that call the callbacks they are handed (ai's `notify({ event, callbacks })` and
    // `telemetryDispatcher.onError?.(…)`): the callbacks' bound is their maker's.
    h(`interface Dispatcher { onError?: (e: { error: unknown }) => PromiseLike<void> }\ndeclare function createDispatcher(o: { telemetry?: object }): Dispatcher;\ndeclare function notify<E>(o: { event: E; callbacks?: Array<((e: E) => PromiseLike<void>) | undefined> }): Promise<void>;\nexport async function f(signal: AbortSignal, telemetry?: object) { const d = createDispatcher({ telemetry }); await notify({ event: { error: 1 }, callbacks: [d.onError] }); await d.onError?.({ error: 1 }); void signal; }`),
    h(`declare function notify<E>(o: { event: E; callbacks?: ((e: E) => Promise<void>) | undefined }): Promise<void>;\nexport class Run { constructor(private settings: { onFinish?: (e: number) => Promise<void> }) {}\n  async f(signal: AbortSignal) { await notify({ event: 1, callbacks: this.settings.onFinish }); await this.settings.onFinish?.(1); void signal; } }`),
    h(`type Arrayable<T> = T | T[];\ndeclare function notify<E>(o: { event: E; callbacks?: Arrayable<((e: E) => Promise<void>) | undefined> }): Promise<void>;\nexport async function f({ signal, onStart }: { signal: AbortSignal; onStart?: Arrayable<(e: number) => Promise<void>> }) { const run = async () => { await notify({ event: 1, callbacks: onStart }); }; await run(); void signal; }`),
    // Signals handed over in a spread or an array (openai's `sleep(ms, ...signals)`, `resolveAuth(op, signals)`).
    h(`declare const sleepFor: (ms: number, ...signals: (AbortSignal | null | undefined)[]) => Promise<void>;\ndeclare function resolveAuth(op: () => Promise<string>, signals: readonly AbortSignal[]): Promise<string>;\nexport async function f(options: { signal?: AbortSignal }) { const signals = [options.signal]; await sleepFor(1, ...signals); const all: AbortSignal[] = []; return await resolveAuth(async () => "k", all); }`),
    // A method chained on a call that received the signal.
    h(`declare function create(b: number, o: { signal?: AbortSignal }): { withResponse(): Promise<number> };\nexport async function f(options: { signal?: AbortSignal }) { return await create(1, { ...options, signal: options.signal }).withResponse(); }`),
    // A combinator over a bounded source (kad-dht's `drain(this.dht.provide(cid, options))`, `merge(...paths)`).
    h(`declare function drain(src: AsyncIterable<unknown>): Promise<void>;\ndeclare function merge<T>(...srcs: AsyncIterable<T>[]): AsyncIterable<T>;\nexport async function f(signal: AbortSignal, urls: string[]) { await drain(api.stream("/u", { signal })); const paths = urls.map((u) => api.stream(u, { signal })); for await (const x of merge(...paths)) void x; }`),
    // Cleanup on the way out: cancelling or closing is not raced.
    h(`declare function cancelResponseBody(r: Response): Promise<void>;\nexport async function f(signal: AbortSignal, reader: ReadableStreamDefaultReader<Uint8Array>, res: Response, it: AsyncIterator<number>) { await reader.cancel(); await res.body?.cancel(); await cancelResponseBody(res); await it.return?.(); void signal; }`),
    // An async function of the program that does no I/O (ai's `safeParseJSON`): nothing to cancel.
    h(`async function validate(v: unknown, check?: (v: unknown) => Promise<boolean>) { return check ? await check(v) : true; }\nasync function parse(text: string) { const v: unknown = JSON.parse(text); return await validate(v); }\nexport async function f(signal: AbortSignal) { await parse("1"); void signal; }`),
    // A helper that awaits a maybe-promise property (ai's `prepareTools`: `await asSchema(s).jsonSchema`) starts no work.
    h(`interface Schema { readonly jsonSchema: object | PromiseLike<object> }\ndeclare function asSchema(s: unknown): Schema;\nasync function prepare(tools: unknown[]) { const out: object[] = []; for (const t of tools) out.push(await asSchema(t).jsonSchema); return out; }\nexport async function f(signal: AbortSignal) { await prepare([]); void signal; }`),
    // …or a validator declared as maybe-synchronous (ai's `safeValidateTypes`: `await schema.validate(value)`).
    h(`interface Validator { validate(v: unknown): { ok: boolean } | PromiseLike<{ ok: boolean }> }\ndeclare function asValidator(s: unknown): Validator;\nasync function check(schema: unknown, v: unknown) { const actual = asValidator(schema); return (await actual.validate(v)).ok; }\nexport async function f(signal: AbortSignal) { await check({}, 1); void signal; }`),
    // A callback written into an options object that uses the context (ai's `runInTracingChannelSpan({ execute })`).
    h(`declare function runInSpan<T>(o: { type: string; execute: () => Promise<T> }): Promise<T>;\nexport async function f(signal: AbortSignal) { return await runInSpan({ type: "x", execute: async () => await api.download("/u", signal) }); }`),
    h(`declare function runInSpan<T>(o: { type: string; hooks: { execute(): Promise<T> } }): Promise<T>;\nexport async function f(signal: AbortSignal) { return await runInSpan({ type: "x", hooks: { async execute() { return await api.download("/u", signal); } } }); }`),
    // A function written here that wraps the caller's callback, inline or in a local (ai's stream-text `notify` calls).
    h(`declare function notify<E>(o: { event: E; callbacks?: ((e: E) => Promise<void>) | undefined }): Promise<void>;\nexport async function f(signal: AbortSignal, onError: (e: number) => Promise<void>, onEnd?: (e: number) => Promise<void>) { await notify({ event: 1, callbacks: async (e) => { await onError(e); } }); const wrapped = onEnd == null ? undefined : async (e: number) => { await onEnd(e + 1); }; await notify({ event: 2, callbacks: wrapped }); void signal; }`),
    // An overloaded async function of the program that does no I/O: its implementation is what is read.
    h(`async function parse(text: string): Promise<unknown>;\nasync function parse(text: string, strict: boolean): Promise<unknown>;\nasync function parse(text: string, strict?: boolean) { const v = JSON.parse(text) as number; return strict ? v : text.length; }\nexport async function f(signal: AbortSignal) { await parse("1"); void signal; }`),
    // A callback looked up in what the caller passed (ai's `const refine = getOwn(refiners, name)`).
    h(`declare function getOwn<T>(o: Record<string, T> | undefined, k: string): T | undefined;\nexport async function f(signal: AbortSignal, refiners: Record<string, (x: number) => Promise<number>> | undefined, handlers: Record<string, () => Promise<void>>) { const refine = getOwn(refiners, "a"); const handler = handlers["b"]; void signal; return (refine ? await refine(1) : 0) + (handler ? (await handler(), 1) : 0); }`),
    // The same through a generic lookup (ai's `refineParsedToolCallInput`): the helper only calls the caller's callback.
    h(`type Refiners<T extends Record<string, unknown>> = { [K in keyof T]?: (x: T[K]) => Promise<T[K]> };\nasync function refineOne<T extends Record<string, unknown>, K extends keyof T>(refiners: Refiners<T>, key: K, v: T[K]): Promise<T[K]> { const refine = refiners[key]; return refine ? await refine(v) : v; }\nexport async function f(signal: AbortSignal, refiners: Refiners<{ a: number }>) { void signal; return await refineOne(refiners, "a", 1); }`),
    // A helper handed a Response whose fetch got the signal (ai's `createUIApiCallError({ response, url })`).
    h(`declare function apiError(o: { response: Response; url: string }): Promise<Error>;\ndeclare function describe(r: Response): Promise<string>;\nexport async function f(signal: AbortSignal) { const response = await fetch("/u", { signal }); if (!response.ok) throw await apiError({ response, url: "/u" }); return await describe(response); }`),
    // An object the context's abort cancels: the read ends when the signal aborts (ai's consumeStream, openai's
    // Stream.fromReadableStream). An inline listener, a `const` handler, `onabort`, a token's hook, ctxkit's afterFunc.
    h(`export async function f(signal: AbortSignal, stream: ReadableStream<Uint8Array>) { const reader = stream.getReader(); const cancelOnAbort = () => { reader.cancel().catch(() => {}); }; signal.addEventListener("abort", cancelOnAbort, { once: true }); while (!(await reader.read()).done) {} }`),
    h(`export async function f(signal: AbortSignal, stream: ReadableStream<Uint8Array>) { const reader = stream.getReader(); signal.addEventListener("abort", () => void reader.cancel()); return await reader.read(); }`),
    h(`export async function f(signal: AbortSignal, stream: ReadableStream<Uint8Array>) { const reader = stream.getReader(); signal.onabort = () => void reader.cancel(); return await reader.read(); }`),
    // A cleanup helper handed the reader (openai's x509 token exchange: `cancelReader(reader, signal?.reason)`).
    h(`declare function cancelReader(r: ReadableStreamDefaultReader<Uint8Array>, reason?: unknown): Promise<void>;\nexport async function f(stream: ReadableStream<Uint8Array>, signal?: AbortSignal) { const reader = stream.getReader(); const cancel = () => { void cancelReader(reader, signal?.reason); }; signal?.addEventListener("abort", cancel, { once: true }); return await reader.read(); }`),
    h(`declare const source: { next(): Promise<number>; close(): void };\nexport async function f(token: CancellationToken) { const it = source; token.onCancellationRequested(() => it.close()); return await it.next(); }`),
    `import { afterFunc, type Context } from "ctxkit";\nexport async function f(ctx: Context, stream: ReadableStream<Uint8Array>) { const reader = stream.getReader(); const stop = afterFunc(ctx, () => void reader.cancel()); try { return await reader.read(); } finally { stop(); } }`,
    // A clone of a Response is read like the Response: bounded by the fetch that got the signal.
    h(`export async function f(signal: AbortSignal) { const response = await fetch("/u", { signal }); if (response.status === 204) return await response.clone().text(); return await response.json(); }`),
    // Loading a module.
    h(`export async function f(signal: AbortSignal) { void signal; const m = await import("fixture-api"); return m; }`),
    // A branch that runs only without the context: nothing to pass (openai's polling, `signal ? … : sleep(ms)`).
    h(`declare function sleepFor(ms: number, signal?: AbortSignal): Promise<void>;\nexport async function f(ms: number, signal?: AbortSignal) { await (signal ? sleepFor(ms, signal) : api.compute(ms)); }`),
    h(`export async function f(options: { signal?: AbortSignal }) { if (!options.signal) { await api.compute(1); return; } await api.getUser(options.signal as never, "1"); }`),
    h(`export async function f(signal: AbortSignal | undefined) { if (signal == null) await api.compute(1); else void signal; }`),
    // Cleanup through Reflect.apply (openai's Stream: the captured `iterator.return`).
    h(`export async function f(signal: AbortSignal, iterator: AsyncIterator<number>) { void signal; const returnMethod = iterator.return; if (returnMethod) await Reflect.apply(returnMethod, iterator, []); }`),
    // A configured bounding helper.
    { code: h(`declare function withAbort<T>(p: Promise<T>): Promise<T>;\nexport async function f(ctx: Context) { await withAbort(api.compute(1)); void ctx; }`), options: [{ boundingFunctions: ["withAbort"] }] },
  ],
  invalid: [
    {
      // Reflect.apply of anything else is judged like any call that accepts no context.
      code: h(`export async function f(signal: AbortSignal, iterator: AsyncIterator<number>) { const nextMethod = iterator.next; await Reflect.apply(nextMethod, iterator, []); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`Reflect.apply(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" } }],
    },
    {
      // The branch where the context is there is still checked.
      code: h(`export async function f(signal?: AbortSignal) { if (signal) await api.compute(1); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`api.compute(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" } }],
    },
    {
      // A clone of a Response passed in is read like that Response (anthropic's middleware `response.clone().json()`).
      code: h(`export async function f(signal: AbortSignal, response: Response) { return await response.clone().json(); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`response`, passed in without the context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" } }],
    },
    {
      // A clone is read like the Response it clones: one kept at module level is no fetch of this function's.
      code: h(`declare const kept: Response;\nexport async function f(signal: AbortSignal) { return await kept.clone().text(); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "a stored promise (`kept`)", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" } }],
    },
    {
      // An abort listener that cancels something else does not bound the reader.
      code: h(`export async function f(signal: AbortSignal, stream: ReadableStream<Uint8Array>, other: ReadableStreamDefaultReader<Uint8Array>) { const reader = stream.getReader(); signal.addEventListener("abort", () => void other.cancel()); return await reader.read(); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`reader.read(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" } }],
    },
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
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`res`, passed in without the context", ctx: "ctx", advice: "wrap it in `race(ctx, …)`, or pass the context" }, suggestions: [{ messageId: "wrapInRace", output: h(`export async function f(ctx: Context, res: Response) { return await race(ctx, res.json()); }`) }] }],
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
    {
      // A helper handed a function that is not the caller's callback (a module's function) is still judged.
      code: h(`declare function notify<E>(o: { event: E; callbacks?: Array<(e: E) => Promise<number>> }): Promise<void>;\nexport async function f(signal: AbortSignal) { await notify({ event: 1, callbacks: [api.compute] }); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`notify(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A combinator over a source made without the signal.
      code: h(`declare function drain(src: AsyncIterable<unknown>): Promise<void>;\nexport async function f(signal: AbortSignal) { await drain(api.lines("/u")); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`drain(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A callback in an options object that does not use the context leaves the call unbounded.
      code: h(`declare function runInSpan<T>(o: { type: string; execute: () => Promise<T> }): Promise<T>;\nexport async function f(signal: AbortSignal) { return await runInSpan({ type: "x", execute: () => api.compute(1) }); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`runInSpan(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A function written here that calls no callback of the caller is no wrapper.
      code: h(`declare function notify<E>(o: { event: E; callbacks?: ((e: E) => Promise<void>) | undefined }): Promise<void>;\nexport async function f(signal: AbortSignal) { await notify({ event: 1, callbacks: async (e) => { await api.compute(e); } }); }`),
      errors: [{ messageId: "unbounded" }, { messageId: "unbounded" }],
    },
    {
      // An overloaded async function of the program whose implementation awaits I/O.
      code: h(`async function load(): Promise<number>;\nasync function load(n: number): Promise<number>;\nasync function load(n?: number) { return await api.compute(n ?? 1); }\nexport async function f(signal: AbortSignal) { await load(); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`load(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A Response that no call given the signal made is no bound (both awaits are reported).
      code: h(`declare function apiError(o: { response: Response; url: string }): Promise<Error>;\ndeclare function cached(): Promise<Response>;\nexport async function f(signal: AbortSignal) { const response = await cached(); throw await apiError({ response, url: "/u" }); }`),
      errors: [{ messageId: "unbounded" }, { messageId: "unbounded", data: { await: "\`await\`", what: "\`apiError(…)\`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A module's function, or one from a local map looked up by the caller's key, is not a callback the caller passed in.
      code: h(`const table: Record<string, () => Promise<void>> = {};\nexport async function f(signal: AbortSignal, item: { id: string }) { const run = table["x"]; if (run) await run(); const fns = new Map<string, () => Promise<void>>(); const execute = fns.get(item.id); if (execute) await execute(); }`),
      errors: [{ messageId: "unbounded" }, { messageId: "unbounded" }],
    },
    {
      // An async function of the program that awaits I/O is not CPU-only.
      code: h(`async function load() { return await api.compute(1); }\nexport async function f(signal: AbortSignal) { await load(); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`load(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A helper handed the caller's *service* (a function that itself takes a signal, openai's `createForm(body, fetch)`)
      // is not a callback dispatcher: it could have been handed the signal too.
      code: h(`type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;\ndeclare function createForm(body: unknown, fetch: Fetch): Promise<FormData>;\nexport async function f(signal: AbortSignal, fetch: Fetch) { const form = await createForm({}, fetch); void form; void signal; }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`createForm(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
    {
      // A helper that awaits a stored promise property (`Promise<T> | undefined`, not a value-or-promise) is not CPU-only.
      code: h(`interface Job { readonly done?: Promise<number> }\nasync function wait(job: Job) { return await job.done; }\nexport async function f(signal: AbortSignal, job: Job) { await wait(job); }`),
      errors: [{ messageId: "unbounded", data: { await: "`await`", what: "`wait(…)`, a call that accepts no context", ctx: "signal", advice: "pass the signal, or race it against the signal's abort" }, suggestions: [] }],
    },
  ],
});
