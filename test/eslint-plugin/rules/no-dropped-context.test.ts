import rule from "../../../eslint-plugin/src/rules/no-dropped-context";
import { typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const head = `import { background, todo, withTimeout, withValue, withoutCancel, fromSignal, createKey, type Context } from "ctxkit";\nimport * as api from "fixture-api";\nimport { findFiles, CancellationToken } from "vscode-like";\n`;
const h = (code: string): string => head + code;

ruleTester.run("no-dropped-context", rule, {
  valid: [
    // The context is passed, positional or as an option, or derived from it.
    h(`export async function f(ctx: Context) { await api.getUser(ctx, "1"); }`),
    h(`export async function f(ctx: Context) { await fetch("/u", { signal: ctx.signal }); }`),
    h(`export async function f(signal: AbortSignal) { await fetch("/u", { signal }); }`),
    h(`export async function f(ctx: Context) { using s = withTimeout(ctx, 5); await api.getUser(s.ctx, "1"); }`),
    h(`export async function f(ctx: Context) { const [c] = withTimeout(ctx, 5); await api.download("/u", c.signal); }`),
    h(`const k = createKey<string>("k");\nexport async function f(ctx: Context) { await api.getUser(withValue(ctx, k, "v"), "1"); }`),
    h(`export async function f(req: { signal: AbortSignal }) { await fetch("/u", { signal: req.signal }); }`),
    h(`export async function f(a: AbortSignal, b: AbortSignal) { await fetch("/u", { signal: AbortSignal.any([a, b]) }); }`),
    h(`export async function f(ctx: Context, signal: AbortSignal) { using s = fromSignal(background(), signal); await api.getUser(s.ctx, "1"); void ctx; }`),
    // The call's result is combined with the context in scope right after (the combination reaches the work).
    h(`export async function f(signal: AbortSignal) { await fetch("/u", { signal: AbortSignal.any([api.timeoutSignal(5), signal]) }); }`),
    h(`export async function f(opts?: { signal?: AbortSignal }) { const t = api.timeoutSignal(5); const all = AbortSignal.any([t, opts?.signal!]); await fetch("/u", { signal: all }); }`),
    // Explicit opt-outs are respected.
    h(`export async function f(ctx: Context) { await api.download("/u", undefined); void ctx; }`),
    h(`export async function f(t: CancellationToken) { await findFiles("*", CancellationToken.None); void t; }`),
    h(`export async function f(ctx: Context) { await api.getUser(withoutCancel(ctx), "1"); }`),
    // A spread or a variable options object may carry the signal.
    h(`export async function f(signal: AbortSignal, init: RequestInit) { await fetch("/u", init); void signal; }`),
    h(`export async function f(signal: AbortSignal, extra: object) { await fetch("/u", { method: "GET", ...extra }); void signal; }`),
    // Only a deprecated overload takes a context.
    h(`export async function f(signal: AbortSignal) { await api.legacy("1"); void signal; }`),
    // The callee is the context itself.
    h(`export function f(signal: AbortSignal) { signal.addEventListener("abort", () => {}); }`),
    // A callee that accepts no context; no context in scope.
    h(`export async function f(ctx: Context) { await api.compute(1); void ctx; }`),
    h(`export async function f() { await fetch("/u"); await api.getUser(background(), "1"); }`),
    // Timers and event handlers run outside the work: the context does not flow into them.
    h(`export function f(signal: AbortSignal) { setTimeout(() => { void fetch("/u"); }, 10); void signal; }`),
    h(`export function f(signal: AbortSignal, target: EventTarget) { target.addEventListener("x", () => { void fetch("/u"); }, { signal }); }`),
    // A Request carries its own readonly signal; it is not an options bag.
    h(`export function f(signal: AbortSignal) { api.handle({ signal, url: "" }); }`),
    // A context of unknown origin (a call result) is not judged.
    h(`declare function current(): Context;\nexport async function f(ctx: Context) { await api.getUser(current(), "1"); void ctx; }`),
    // A vscode token cannot become an AbortSignal: no report.
    h(`export async function f(t: CancellationToken) { await fetch("/u"); void t; }`),
    // The code tests the context and handles its absence on purpose.
    h(`export async function f(signal: AbortSignal | undefined) { return signal ? api.download("/u", signal) : api.download("/u"); }`),
    // A callee that never reads the option does not accept it.
    h(`interface Opts { body?: string; signal?: AbortSignal }\nfunction format({ body }: Opts) { return body ?? ""; }\nfunction size(o: Opts) { return o.body?.length ?? 0; }\nexport function f(signal: AbortSignal) { return format({ body: "x" }) + size({}) + String(signal.aborted); }`),
    // A controller the class drives itself is not a stored context; a context of unknown origin is passed.
    h(`export class Stream { controller = new AbortController();\n  async run(signal: AbortSignal) { signal.addEventListener("abort", () => this.controller.abort()); await fetch("/u", { signal: this.controller.signal }); } }`),
    h(`import { once } from "node:events";\nexport async function f(signal: AbortSignal) { const stop = new AbortController(); setTimeout(() => stop.abort(), 5); await Promise.race([fetch("/u", { signal }), once(stop.signal as never, "abort")]); }`),
    // An argument that carries a context (a Request) may carry the one in scope.
    h(`export async function f(signal: AbortSignal) { const req = new Request("/u", { signal }); await fetch(req, { redirect: "manual" }); }`),
    // addEventListener's signal removes a listener; it is not work to cancel.
    h(`export function f(signal: AbortSignal, target: EventTarget) { target.addEventListener("x", () => {}); void signal; }`),
    // A union parameter exposes only the properties all its members have (`url.signal` does not exist on a string).
    h(`export async function f(url: string | Request) { await fetch("/v"); void url; }`),
    // A synchronous callee that returns plain data (or hands its options onward) has nothing to cancel.
    h(`export function f(signal: AbortSignal) { return api.closest("k", { count: 3 }).length + String(signal.aborted); }`),
    h(`export function f(signal: AbortSignal) { void signal; return api.spanSettings({ body: "x" }).route; }`),
    h(`export function f(signal: AbortSignal) { void signal; return api.prepare("p").format() + String(api.size({})); }`),
    // ignoreCallees
    { code: h(`export async function f(signal: AbortSignal) { await fetch("/u"); void signal; }`), options: [{ ignoreCallees: ["fetch"] }] },
  ],
  invalid: [
    // A union callee: the member whose method takes a signal counts, though the call resolves to a composite signature.
    {
      code: h(`declare const client: { run(x: string): Promise<void> } | { run(x: string, opts?: { signal?: AbortSignal }): Promise<void> };\nexport async function f(signal: AbortSignal) { await client.run("x"); }`),
      errors: [{ messageId: "missing", data: { callee: "client.run", ctx: "signal", type: "AbortSignal", slot: "an AbortSignal (option `signal`)", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`declare const client: { run(x: string): Promise<void> } | { run(x: string, opts?: { signal?: AbortSignal }): Promise<void> };\nexport async function f(signal: AbortSignal) { await client.run("x", { signal }); }`) }] }],
    },
    // Generic callees: the instantiated signature still shows the slot.
    {
      code: h(`declare function load<T>(id: T, opts?: { signal?: AbortSignal }): Promise<T>;\nconst save = async <T,>(value: T, opts?: { signal?: AbortSignal }): Promise<T> => { void opts; return value; };\nexport async function f(signal: AbortSignal) { await save(await load(1, { signal }), {}); }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`declare function load<T>(id: T, opts?: { signal?: AbortSignal }): Promise<T>;\nconst save = async <T,>(value: T, opts?: { signal?: AbortSignal }): Promise<T> => { void opts; return value; };\nexport async function f(signal: AbortSignal) { await save(await load(1, { signal }), { signal }); }`) }] }],
    },
    // Synchronous, but something keeps running: a registration, a subscription, an iterator.
    ...[`api.watch("/p")`, `api.subscribe("t")`, `api.tail("/p")`].map((call) => ({
      code: h(`export function f(signal: AbortSignal) { void ${call}; }`),
      errors: [{ messageId: "missing" as const, suggestions: [{ messageId: "passContext" as const, output: h(`export function f(signal: AbortSignal) { void ${call.replace(/\)$/, ", { signal })")}; }`) }] }],
    })),
    {
      // Combined with something else, not with the context in scope: still a drop.
      code: h(`export async function f(signal: AbortSignal, other: AbortSignal) { const t = api.timeoutSignal(5); await fetch("/u", { signal: AbortSignal.any([t, other]) }); void signal; }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`export async function f(signal: AbortSignal, other: AbortSignal) { const t = api.timeoutSignal(5, { signal }); await fetch("/u", { signal: AbortSignal.any([t, other]) }); void signal; }`) }] }],
    },
    {
      code: h(`export async function f(ctx: Context) { await fetch("/u"); }`),
      errors: [{ messageId: "missing", data: { callee: "fetch", ctx: "ctx", type: "Context", slot: "an AbortSignal (option `signal`)", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx: Context) { await fetch("/u", { signal: ctx.signal }); }`) }] }],
    },
    {
      code: h(`export async function f(signal: AbortSignal) { await fetch("/u", { method: "POST" }); }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`export async function f(signal: AbortSignal) { await fetch("/u", { method: "POST", signal }); }`) }] }],
    },
    {
      code: h(`export async function f(signal: AbortSignal) { await fetch("/u", {}); }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`export async function f(signal: AbortSignal) { await fetch("/u", { signal }); }`) }] }],
    },
    {
      // The option is found whatever it is called.
      code: h(`export async function f(ctx: Context) { await api.query("select 1", { timeoutMs: 5 }); }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx: Context) { await api.query("select 1", { timeoutMs: 5, abortSignal: ctx.signal }); }`) }] }],
    },
    {
      code: h(`export async function f(signal: AbortSignal) { await api.download("/u"); }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`export async function f(signal: AbortSignal) { await api.download("/u", signal); }`) }] }],
    },
    {
      // Every overload is asked, not only the resolved one.
      code: h(`export async function f(signal: AbortSignal) { await api.send("hi"); }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`export async function f(signal: AbortSignal) { await api.send("hi", { signal }); }`) }] }],
    },
    {
      code: h(`export function f(req: { signal: AbortSignal }) { return new api.Client(); }`),
      errors: [{ messageId: "missing", data: { callee: "new api.Client", ctx: "req.signal", type: "AbortSignal", slot: "an AbortSignal (option `signal`)", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`export function f(req: { signal: AbortSignal }) { return new api.Client({ signal: req.signal }); }`) }] }],
    },
    {
      // A synchronous array callback sees the context.
      code: h(`export function f(ctx: Context, ids: string[]) { return ids.map((id) => api.getUser(todo(), id)); }`),
      output: h(`export function f(ctx: Context, ids: string[]) { return ids.map((id) => api.getUser(ctx, id)); }`),
      errors: [{ messageId: "detached", data: { callee: "api.getUser", what: "`todo()`", ctx: "ctx", type: "Context", hint: "" } }],
    },
    {
      code: h(`export async function f(ctx: Context) { await api.getUser(background(), "1"); }`),
      errors: [{ messageId: "detached", suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx: Context) { await api.getUser(ctx, "1"); }`) }] }],
    },
    {
      // Two contexts in scope: todo() is not replaced automatically.
      code: h(`export async function f(ctx: Context) { using s = withTimeout(ctx, 5); await api.getUser(todo(), "1"); }`),
      errors: [{ messageId: "detached", data: { callee: "api.getUser", what: "`todo()`", ctx: "s.ctx", type: "Context", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx: Context) { using s = withTimeout(ctx, 5); await api.getUser(s.ctx, "1"); }`) }] }],
    },
    {
      code: h(`export async function f(ctx: Context) { await fetch("/u", { signal: new AbortController().signal }); }`),
      errors: [{ messageId: "detached", data: { callee: "fetch", what: "the signal of a fresh `AbortController`", ctx: "ctx", type: "Context", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx: Context) { await fetch("/u", { signal: ctx.signal }); }`) }] }],
    },
    {
      code: h(`export async function f(ctx: Context) { const c = new AbortController(); await fetch("/u", { signal: c.signal }); }`),
      errors: [{ messageId: "detached", suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx: Context) { const c = new AbortController(); await fetch("/u", { signal: ctx.signal }); }`) }] }],
    },
    {
      code: h(`export async function f(signal: AbortSignal) { await fetch("/u", { signal: AbortSignal.timeout(5) }); }`),
      errors: [{ messageId: "detached", suggestions: [{ messageId: "passContext", output: h(`export async function f(signal: AbortSignal) { await fetch("/u", { signal: signal }); }`) }] }],
    },
    {
      code: h(`const shutdown = new AbortController();\nexport async function f(signal: AbortSignal) { await api.download("/u", shutdown.signal); }`),
      errors: [{ messageId: "detached", data: { callee: "api.download", what: "a module-level context", ctx: "signal", type: "AbortSignal", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`const shutdown = new AbortController();\nexport async function f(signal: AbortSignal) { await api.download("/u", signal); }`) }] }],
    },
    {
      code: h(`export class S { constructor(private readonly ctx: Context) {}\n  async get(ctx: Context) { return api.getUser(this.ctx, "1"); } }`),
      errors: [{ messageId: "detached", data: { callee: "api.getUser", what: "a context stored in a field", ctx: "ctx", type: "Context", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`export class S { constructor(private readonly ctx: Context) {}\n  async get(ctx: Context) { return api.getUser(ctx, "1"); } }`) }] }],
    },
    {
      // Only a signal in scope and the callee wants a Context: reported, no suggestion.
      code: h(`export async function f(signal: AbortSignal) { await api.getUser(background(), "1"); }`),
      errors: [{ messageId: "detached", data: { callee: "api.getUser", what: "`background()`", ctx: "signal", type: "AbortSignal", hint: "; wrap it with `fromSignal(…)` to get a Context" }, suggestions: [] }],
    },
    {
      // A context that is always there is preferred to an optional one of the exact kind.
      code: h(`export async function f(ctx: Context, signal?: AbortSignal) { await api.download("/u"); }`),
      errors: [{ messageId: "missing", data: { callee: "api.download", ctx: "ctx", type: "Context", slot: "an AbortSignal", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx: Context, signal?: AbortSignal) { await api.download("/u", ctx.signal); }`) }] }],
    },
    {
      // An optional context is never put in by an autofix.
      code: h(`export async function f(ctx?: Context) { await api.getUser(todo(), "1"); }`),
      errors: [{ messageId: "detached", suggestions: [{ messageId: "passContext", output: h(`export async function f(ctx?: Context) { await api.getUser(ctx, "1"); }`) }] }],
    },
    {
      // A token by shape: a class that declares the members, and a subclass that inherits them.
      code: h(`class BaseToken { isCancellationRequested = false; onCancellationRequested(_l: () => void) { return { dispose() {} }; } }\nclass SubToken extends BaseToken {}\nexport async function f(token: SubToken) { await findFiles("*"); }`),
      errors: [{ messageId: "missing", data: { callee: "findFiles", slot: "a CancellationToken", ctx: "token", type: "BaseToken", hint: "" }, suggestions: [{ messageId: "passContext", output: h(`class BaseToken { isCancellationRequested = false; onCancellationRequested(_l: () => void) { return { dispose() {} }; } }\nclass SubToken extends BaseToken {}\nexport async function f(token: SubToken) { await findFiles("*", token); }`) }] }],
    },
    {
      // A vscode-like token.
      code: h(`export async function f(token: CancellationToken) { await findFiles("*"); }`),
      errors: [{ messageId: "missing", suggestions: [{ messageId: "passContext", output: h(`export async function f(token: CancellationToken) { await findFiles("*", token); }`) }] }],
    },
  ],
});
