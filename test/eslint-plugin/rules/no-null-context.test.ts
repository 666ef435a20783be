import rule from "../../../eslint-plugin/src/rules/no-null-context";
import { typedRuleTester } from "./typedRuleTester";

const ruleTester = typedRuleTester();

const decls = `declare function run(ctx: Context, job: string): void;\ndeclare function maybe(ctx?: Context): void;\ndeclare function nullable(ctx: Context | null): void;\ndeclare function fetchIt(url: string, init?: { signal?: AbortSignal | null }): void;\ndeclare function listen(signal: AbortSignal | undefined): void;\n`;
const head = `import { todo, withCancel, type Context } from "ctxkit";\n` + decls;

const nullCtx = (value: string, param: string, callee: string) => ({ messageId: "nullContext" as const, data: { value, param, callee } });

ruleTester.run("no-null-context", rule, {
  valid: [
    { code: head + `run(todo(), "a");` },
    // An optional context: `undefined` means "use the default", as leaving it out does.
    { code: head + `maybe(undefined); maybe();` },
    // The API admits null on purpose.
    { code: head + `nullable(null);` },
    // Signals and tokens have their own "no signal" values.
    { code: head + `fetchIt("u", { signal: null }); listen(undefined);` },
    // Not a context parameter.
    { code: head + `declare function g(a: string | null, ctx: Context): void;\ng(null, todo());` },
    // A rest parameter of contexts is not a slot.
    { code: head + `declare function all(...ctxs: Context[]): void;\nall();` },
  ],
  invalid: [
    {
      code: head + `run(null as any, "a");`,
      errors: [{ ...nullCtx("null as any", "ctx", "run"), suggestions: [{ messageId: "suggestTodo", data: { todo: "todo()" }, output: head + `run(todo(), "a");` }] }],
    },
    // ctxkit's own functions: a null parent throws at run time.
    {
      code: head + `export const s = withCancel(undefined!);`,
      errors: [{ ...nullCtx("undefined!", "parent", "withCancel"), suggestions: [{ messageId: "suggestTodo", data: { todo: "todo()" }, output: head + `export const s = withCancel(todo());` }] }],
    },
    // `void 0`, and `null` for an optional parameter (only `undefined` means "left out").
    {
      code: head + `maybe(null as never);`,
      errors: [{ ...nullCtx("null as never", "ctx", "maybe"), suggestions: [{ messageId: "suggestTodo", data: { todo: "todo()" }, output: head + `maybe(todo());` }] }],
    },
    // The import is added when `todo` is not imported yet: into the existing ctxkit import…
    {
      code: `import { withCancel, type Context } from "ctxkit";\n${decls}run(void 0 as any, "x"); void withCancel;`,
      errors: [
        {
          ...nullCtx("void 0 as any", "ctx", "run"),
          suggestions: [{ messageId: "suggestTodo", data: { todo: "todo()" }, output: `import { withCancel, type Context, todo } from "ctxkit";\n${decls}run(todo(), "x"); void withCancel;` }],
        },
      ],
    },
    // …as a new import when ctxkit is imported for types only…
    {
      code: `import type { Context } from "ctxkit";\n${decls}run(null!, "x");`,
      errors: [
        {
          ...nullCtx("null!", "ctx", "run"),
          suggestions: [{ messageId: "suggestTodo", data: { todo: "todo()" }, output: `import type { Context } from "ctxkit";\nimport { todo } from "ctxkit";\n${decls}run(todo(), "x");` }],
        },
      ],
    },
    // …or through a namespace import.
    {
      code: `import * as ck from "ctxkit";\ndeclare function run(ctx: ck.Context): void;\nrun(null!);`,
      errors: [{ ...nullCtx("null!", "ctx", "run"), suggestions: [{ messageId: "suggestTodo", data: { todo: "ck.todo()" }, output: `import * as ck from "ctxkit";\ndeclare function run(ctx: ck.Context): void;\nrun(ck.todo());` }] }],
    },
    // No suggestion when `todo` is taken by something else.
    {
      code: `import type { Context } from "ctxkit";\n${decls}const todo = 1;\nrun(null!, String(todo));`,
      errors: [{ ...nullCtx("null!", "ctx", "run"), suggestions: [] }],
    },
    // Constructors and methods too.
    {
      code: head + `declare class Job { constructor(ctx: Context); start(ctx: Context): void }\nnew Job(todo()).start(null!);`,
      errors: [{ ...nullCtx("null!", "ctx", "new Job(todo()).start"), suggestions: [{ messageId: "suggestTodo", data: { todo: "todo()" }, output: head + `declare class Job { constructor(ctx: Context); start(ctx: Context): void }\nnew Job(todo()).start(todo());` }] }],
    },
  ],
});
