import rule from "../../../eslint-plugin/src/rules/context-first-param";
import { typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const h = `import type { Context } from "ctxkit";\n`;
const err = (name: string, fn: string, position: number) => ({ messageId: "contextNotFirst" as const, data: { name, fn, position, type: "Context" } });

ruleTester.run("context-first-param", rule, {
  valid: [
    { code: h + `export function f(ctx: Context, id: string) { return [ctx, id]; }` },
    { code: h + `export function f(id: string) { return id; }` },
    // Signals and tokens go last in JavaScript.
    { code: h + `export function f(url: string, signal: AbortSignal) { return [url, signal]; }` },
    // An optional context at the end.
    { code: h + `export function f(req: string, parent?: Context) { return [req, parent]; }` },
    { code: h + `declare const bg: Context;\nexport function f(req: string, parent: Context = bg) { return [req, parent]; }` },
    // Callbacks: the callee decides the order.
    { code: h + `declare function each(f: (item: string, ctx: Context) => void): void;\neach((item, ctx) => { void item; void ctx; });` },
    { code: h + `type Handler = (req: string, ctx: Context) => void;\nexport const handle: Handler = (req, ctx) => { void req; void ctx; };` },
    // Implementations and overrides of someone else's member.
    { code: h + `import type { Job } from "external-jobs";\nexport class J implements Job { run(id: string, ctx: Context) { void id; void ctx; } }` },
    { code: h + `import { Base } from "external-jobs";\nexport class D extends Base { override run(id: string, ctx: Context) { void id; void ctx; } }` },
    { code: h + `import { Base } from "external-jobs";\nexport class D extends Base { run(id: string, ctx: Context) { void id; void ctx; } }` },
    // `this` parameters do not count, and allowTypesBefore exempts a named type.
    { code: h + `export function f(this: unknown, ctx: Context) { return ctx; }` },
    { code: h + `interface T { log(s: string): void }\nexport function f(t: T, ctx: Context) { return [t, ctx]; }`, options: [{ allowTypesBefore: ["T"] }] },
    // A class that implements Context is a context too.
    {
      code:
        h +
        `declare abstract class Node implements Context { deadline(): Date | undefined; done(): Promise<void>; err(): Error | undefined; value<T>(k: import("ctxkit").Key<T>): T | undefined; readonly signal: AbortSignal }\nexport function link(child: Node, parent: Context) { return [child, parent]; }`,
    },
    // A signal, then the context: contexts together are fine.
    { code: h + `export function f(signal: AbortSignal, ctx: Context) { return [signal, ctx]; }` },
  ],
  invalid: [
    { code: h + `export function f(id: string, ctx: Context) { return [ctx, id]; }`, errors: [err("ctx", "f", 2)] },
    { code: h + `export const g = (id: string, n: number, ctx: Context) => [id, n, ctx];`, errors: [err("ctx", "g", 3)] },
    { code: h + `export class S { load(id: string, ctx: Context) { return [id, ctx]; } }`, errors: [err("ctx", "load", 2)] },
    { code: h + `export interface Store { get(key: string, ctx: Context): Promise<string> }`, errors: [err("ctx", "get", 2)] },
    { code: h + `export declare function fetchAll(ids: string[], ctx: Context): Promise<void>;`, errors: [err("ctx", "fetchAll", 2)] },
    { code: h + `export abstract class A { abstract load(id: string, ctx: Context): void }`, errors: [err("ctx", "load", 2)] },
  ],
});
