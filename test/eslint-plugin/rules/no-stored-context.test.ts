import rule from "../../../eslint-plugin/src/rules/no-stored-context";
import { typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const h = `import { todo, type Context } from "ctxkit";\n`;
const err = (field: string, cls: string) => ({ messageId: "storedContext" as const, data: { field, cls, type: "Context" } });

ruleTester.run("no-stored-context", rule, {
  valid: [
    // Passed to each method.
    { code: h + `export class Repo { load(ctx: Context, id: string) { return [ctx, id]; } }` },
    // Options bags and parameter objects carry a context into a call.
    { code: h + `export interface LoadOptions { ctx: Context; id: string }\nexport type Req = { ctx?: Context };` },
    // Signals and tokens in fields are the platform's idiom.
    { code: h + `export class Op { readonly controller = new AbortController(); readonly signal: AbortSignal = this.controller.signal; }` },
    // A class that is a context holds its parent by design.
    {
      code:
        h +
        `export class Traced implements Context {\n  constructor(private readonly parent: Context) {}\n  deadline() { return this.parent.deadline(); }\n  done() { return this.parent.done(); }\n  err() { return this.parent.err(); }\n  value<T>(key: import("ctxkit").Key<T>) { return this.parent.value(key); }\n  get signal() { return this.parent.signal; }\n}`,
    },
    // A disposable class owns the context for its lifetime (a scope, like ctxkit's own CancelScope).
    { code: h + `export class Session { constructor(readonly ctx: Context, private readonly stop: () => void) {} [Symbol.dispose]() { this.stop(); } }` },
    { code: h + `export const S = class { constructor(readonly ctx: Context) {} async [Symbol.asyncDispose]() {} };` },
    // A field of another type.
    { code: h + `export class C { n = 1; name?: string; }` },
  ],
  invalid: [
    { code: h + `export class Worker { ctx: Context = todo(); }`, errors: [err("ctx", "Worker")] },
    { code: h + `export class Worker { constructor(private readonly ctx: Context) {} }`, errors: [err("ctx", "Worker")] },
    { code: h + `export class Worker { #ctx: Context | undefined; set(c: Context) { this.#ctx = c; } }`, errors: [err("#ctx", "Worker")] },
    { code: h + `export abstract class Base { protected abstract ctx: Context; }`, errors: [err("ctx", "Base")] },
    { code: h + `export class Base { static root?: Context; }`, errors: [err("root", "Base")] },
    { code: h + `export const K = class { declare ctx: Context; };`, errors: [err("ctx", "K")] },
    { code: h + `export default class { ctx?: Context; }`, errors: [err("ctx", "this class")] },
  ],
});
