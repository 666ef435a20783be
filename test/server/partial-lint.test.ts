/**
 * Partial re-lint (server/src/partialLint.ts): after an edit inside a type-stable function body, the server re-runs
 * the rules only on the statements the edit can change. Its diagnostics must be exactly those of a full lint: a
 * second server with `partialLint: false` over the same workspace gets the same edits, and after every edit the two
 * answers are compared. The edits are random (seeded, so a failure names its seed) and cover what changes
 * diagnostics: dropped contexts, unbounded awaits, discarded cancels, a CPU-only helper that starts doing I/O (its
 * callers' results change), broken syntax, deletions, line-count changes, non-ASCII text.
 */
import { strict as assert } from "node:assert";
import ts from "typescript";
import { DocumentDiagnosticReportKind, type Diagnostic, type FullDocumentDiagnosticReport } from "vscode-languageserver";
import { CtxkitServer, harness, MemoryClient, PULL_CAPS, type Harness } from "./memoryClient";

const DEP = `import { sleep, type Context } from "ctxkit";
export async function fetchThing(ctx: Context, n: number): Promise<number> {
  await sleep(ctx, 1);
  return n;
}
export async function slow(n: number): Promise<number> {
  return n;
}
export async function load(url: string, init?: { signal?: AbortSignal }): Promise<string> {
  const response = await fetch(url, init);
  return response.text();
}
`;

const BIG = `import { background, sleep, todo, withCancel, withTimeout, type Context } from "ctxkit";
import { fetchThing, load, slow } from "./dep.js";

/** CPU-only: its callers' awaits on it are bounded until its body does I/O. */
async function cpu(n: number): Promise<number> {
  const doubled = n * 2;
  return doubled;
}

export async function first(ctx: Context, input: number): Promise<number> {
  using scope = withTimeout(ctx, 50);
  const value = await fetchThing(scope.ctx, input);
  const more = await cpu(value);
  return value + more;
}

export async function second(ctx: Context, input: number): Promise<number> {
  const [child, cancel] = withCancel(ctx);
  try {
    return await fetchThing(child, input);
  } finally {
    cancel();
  }
}

export function unannotated(ctx: Context, input: number) {
  const value = input + 1;
  void ctx;
  return value;
}

export function plusOne(input: number) {
  return input + 1;
}

export async function seventh(ctx: Context): Promise<number> {
  void ctx;
  return await plusOne(2);
}

export const arrow = async (signal: AbortSignal, url: string): Promise<string> => {
  const text = await load(url, { signal });
  return text;
};

export class Service {
  constructor(private readonly base: number) {
    const start = base;
    void start;
  }

  async run(ctx: Context, n: number): Promise<number> {
    const value = await fetchThing(ctx, n + this.base);
    return value;
  }

  async helper(n: number): Promise<number> {
    const value = n;
    return value;
  }
}

export const handlers = {
  async one(ctx: Context, n: number): Promise<number> {
    const value = await fetchThing(ctx, n);
    return value;
  },
};

export async function third(signal: AbortSignal, url: string): Promise<string> {
  const body = await load(url, { signal });
  const n = await cpu(body.length);
  return body + String(n);
}

export async function fourth(ctx: Context): Promise<void> {
  await sleep(ctx, 1);
  const unused = background();
  void unused;
}

export async function fifth(ctx: Context, service: Service): Promise<number> {
  const made = new Service(1);
  return (await service.run(ctx, 1)) + (await made.helper(2));
}

(Service as unknown as { tag?: string }).tag = "service";

export declare namespace Service {
  export type Options = { n: number };
  export { type Context as ServiceContext };
}

/** Options of the handlers, as a generated API client declares them: a namespace of types only. */
export namespace Handlers {
  /** One handler's options. */
  export interface Options {
    /** How many. */
    n: number;
    signal?: AbortSignal;
  }
  export namespace Options {
    /** How fast. */
    export type Mode = "fast" | "slow";
  }
}

export async function sixth(ctx: Context, options: Service.Options, more?: Handlers.Options): Promise<number> {
  const value = await fetchThing(ctx, options.n + (more?.n ?? 0));
  return value;
}

/** Code in namespaces, as protobuf generators write codecs. */
export namespace Codec {
  let cached: number | undefined;
  export const codec = async (ctx: Context, n: number): Promise<number> => {
    const value = await fetchThing(ctx, n);
    cached = value;
    return value;
  };
  export namespace Inner {
    export async function decode(signal: AbortSignal, url: string): Promise<string> {
      const text = await load(url, { signal });
      return text;
    }
  }
  export function encode(n: number): number {
    return n + (cached ?? 0);
  }
}

export async function seventhUser(ctx: Context): Promise<number> {
  return await Codec.codec(ctx, Codec.encode(1));
}

/** Another namespace: a function of the same name, another declaration. */
export namespace Other {
  export const codec = async (n: number): Promise<number> => n;
  export async function use(signal: AbortSignal): Promise<number> {
    void signal;
    return await codec(1);
  }
}
`;

/** Lines that go into a body: each changes what some rule reports (or breaks the syntax). */
const SNIPPETS = [
  "  await slow(1);",
  "  await fetchThing(todo(), 1);",
  "  await fetchThing(background(), 2);",
  "  withCancel(ctx);",
  "  const [c2, cancel2] = withCancel(ctx); void c2; void cancel2;",
  "  await sleep(ctx, 1);",
  "  await new Promise((r) => setTimeout(r, 1));",
  "  await load(\"u\");",
  "  await cpu(3);",
  "  await this.helper(1);",
  "  const s = \"héllo – ✓ 𝄞\"; void s;",
  "  if (n > 1) { await slow(2); }",
  "  for (const x of [1, 2]) { await fetchThing(todo(), x); }",
  "",
  "  // eslint-disable-next-line ctxkit/no-unbounded-await",
];

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The 0-based lines strictly inside function bodies of `text` (where an edit may land). */
function bodyLines(text: string): number[] {
  const sf = ts.createSourceFile("big.ts", text, ts.ScriptTarget.Latest, true);
  const lines = new Set<number>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body && ts.isBlock(node.body)) {
      const open = sf.getLineAndCharacterOfPosition(node.body.getStart(sf)).line;
      const close = sf.getLineAndCharacterOfPosition(node.body.end).line;
      for (let l = open + 1; l < close; l++) lines.add(l);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...lines];
}

/** Text that does not parse; the edit after it takes it out again. */
const BROKEN = ["  )(", "  const = ;", "  if (n > 1) {"];

function mutate(text: string, random: () => number): string {
  const lines = text.split("\n");
  const candidates = bodyLines(text);
  if (candidates.length === 0) return text;
  const at = candidates[Math.floor(random() * candidates.length)]!;
  const choice = random();
  const balanced = (l: string): boolean => !/[{}]/.test(l) && l.split("(").length === l.split(")").length;
  if (choice < 0.25 && lines.length > 10 && balanced(lines[at]!)) lines.splice(at, 1);
  else if (choice < 0.35) lines[at] = lines[at]!.replace(/\d+/, (d) => String(Number(d) + 1));
  else if (choice < 0.4) lines.splice(at, 0, BROKEN[Math.floor(random() * BROKEN.length)]!);
  else lines.splice(at, 0, SNIPPETS[Math.floor(random() * SNIPPETS.length)]!);
  return lines.join("\n");
}

async function diagnostics(h: { server: CtxkitServer; uri: string }): Promise<Diagnostic[]> {
  const report = (await h.server.documentDiagnostic({ textDocument: { uri: h.uri } })) as FullDocumentDiagnosticReport;
  assert.equal(report.kind, DocumentDiagnosticReportKind.Full);
  return report.items;
}

describe("partial re-lint", function () {
  this.timeout(300000);
  let h: Harness | undefined;
  let full: CtxkitServer | undefined;
  afterEach(() => {
    full?.shutdown();
    h?.dispose();
    h = undefined;
    full = undefined;
  });

  /** The partial-lint server's verbose trace of its last lint (mode, statements, phases). */
  const lastLintTrace = (): string => h!.client.logs.filter((l) => l.message.startsWith("linted")).at(-1)?.message ?? "";

  /** Applies an edit; checks that it was linted partially over `statements` units and equals the full lint. */
  async function editPartially(edit: (text: string) => Promise<[Diagnostic[], Diagnostic[]]>, text: string, statements: number, why: string): Promise<Diagnostic[]> {
    const before = h!.server.stats.partialLints;
    const [partial, reference] = await edit(text);
    const trace = lastLintTrace();
    assert.equal(h!.server.stats.partialLints, before + 1, trace);
    assert.match(trace, new RegExp(`partial: ${statements} statement\\(s\\)`), why);
    assert.deepEqual(partial, reference);
    return partial;
  }

  /** A partial-lint server (the harness) and a full-lint one over the same workspace, both with big.ts open. */
  async function servers(initial = BIG): Promise<{ fullServer: CtxkitServer; edit(text: string): Promise<[Diagnostic[], Diagnostic[]]> }> {
    const BIG = initial;
    h = await harness({ "src/dep.ts": DEP, "src/big.ts": BIG }, PULL_CAPS, { settings: { trace: { server: "verbose" } } });
    const fullServer = new CtxkitServer(new MemoryClient(), { pushDelayMs: 0, partialLint: false });
    full = fullServer;
    fullServer.initialize({ processId: null, rootUri: h.ws.uri(""), capabilities: PULL_CAPS, workspaceFolders: [{ uri: h.ws.uri(""), name: "ws" }] });
    await fullServer.initialized();
    const uri = h.ws.uri("src/big.ts");
    let version = 1;
    h.server.didOpen({ textDocument: { uri, languageId: "typescript", version, text: BIG } });
    fullServer.didOpen({ textDocument: { uri, languageId: "typescript", version, text: BIG } });
    const pair = async (): Promise<[Diagnostic[], Diagnostic[]]> => [await diagnostics({ server: h!.server, uri }), await diagnostics({ server: fullServer, uri })];
    await pair();
    return {
      fullServer,
      async edit(text) {
        version++;
        for (const server of [h!.server, fullServer]) server.didChange({ textDocument: { uri, version }, contentChanges: [{ text }] });
        return pair();
      },
    };
  }

  // SEEDS=4,5,6 runs other seeds (a longer soak).
  for (const seed of process.env.SEEDS ? process.env.SEEDS.split(",").map(Number) : [1, 2, 3]) {
    it(`gives exactly the full lint's diagnostics over 60 random body edits (seed ${seed})`, async () => {
      const { edit } = await servers();
      const random = lcg(seed);
      let text = BIG;
      let differing = 0;
      let withProblems = 0;
      let beforeBroken: string | undefined;
      for (let step = 0; step < 60; step++) {
        if (beforeBroken !== undefined) {
          text = beforeBroken;
          beforeBroken = undefined;
        } else {
          const next = mutate(text, random);
          if (BROKEN.some((b) => next.split("\n").includes(b))) beforeBroken = text;
          text = next;
        }
        const [partial, reference] = await edit(text);
        if (reference.length > 0) withProblems++;
        assert.deepEqual(partial, reference, `seed ${seed}, step ${step}: partial and full lint differ on\n${text}`);
        differing += partial.length;
      }
      // The comparison means something only if the partial path ran and there were problems to get right.
      assert.ok(h!.server.stats.partialLints >= 15, `only ${h!.server.stats.partialLints} of 60 edits were linted partially`);
      assert.ok(withProblems >= 30 && differing > 0, `the edits produced problems in only ${withProblems} steps`);
    });
  }

  it("re-lints the callers of an edited function: a CPU-only helper that starts doing I/O", async () => {
    const { edit } = await servers();
    const before = h!.server.stats.partialLints;
    const [partial, reference] = await edit(BIG.replace("  const doubled = n * 2;", "  await new Promise((r) => setTimeout(r, 1000));\n  const doubled = n * 2;"));
    assert.equal(h!.server.stats.partialLints, before + 1, "the edit is inside an annotated body");
    assert.deepEqual(partial, reference);
    const lineOf = (needle: string): number => BIG.split("\n").findIndex((l) => l.includes(needle)) + 1; // +1: the inserted line
    const lines = partial.filter((d) => d.code === "ctxkit/no-unbounded-await").map((d) => d.range.start.line);
    assert.ok(lines.includes(lineOf("const more = await cpu(value);")), `first()'s await on cpu() is now unbounded: ${JSON.stringify(lines)}`);
  });

  it("re-lints the callers of a function with a declared, non-thenable return type, not their callers", async () => {
    // Which options `pick` reads is read off its body by its callers' lints; nothing about `usesPick` changes for
    // `outer` (its type is declared), so `outer` keeps its problems.
    const text = [
      `import { type Context } from "ctxkit";`,
      `export function pick(o: { signal?: AbortSignal; n: number }): { stop(): void } {`,
      `  return { stop: () => void o.n };`,
      `}`,
      `export async function usesPick(signal: AbortSignal): Promise<void> {`,
      `  pick({ n: 1 }).stop();`,
      `}`,
      `export async function outer(signal: AbortSignal): Promise<void> {`,
      `  await new Promise((r) => setTimeout(r, 1));`,
      `  return usesPick(signal);`,
      `}`,
      ...Array.from({ length: 12 }, (_, i) => `export async function filler${i}(ctx: Context): Promise<number> {\n  void ctx;\n  return ${i};\n}`),
      ``,
    ].join("\n");
    const { edit } = await servers(text);
    const partial = await editPartially(edit, text.replace("  return { stop: () => void o.n };", "  return { stop: () => void (o.signal ?? o.n) };"), 2, "pick and usesPick; not outer");
    const lines = partial.map((d) => [d.code, d.range.start.line]);
    assert.ok(lines.some(([code, line]) => code === "ctxkit/no-dropped-context" && line === 5), `pick now reads o.signal: ${JSON.stringify(lines)}`);
    assert.ok(lines.some(([code, line]) => code === "ctxkit/no-unbounded-await" && line === 8), `outer's problem is kept: ${JSON.stringify(lines)}`);
  });

  it("re-lints a constructor and where its class is constructed, not the whole class; a member whose fix spans the edit, not its class", async () => {
    // The class names itself in its header; that is no use of the constructor (provider-utils' tracker: every
    // constructor edit used to mark the whole class, most of the file).
    const text = [
      `import { type Context } from "ctxkit";`,
      `export class Tracker {`,
      `  private readonly ids: string[];`,
      `  constructor(ids: string[]) {`,
      `    this.ids = ids;`,
      `  }`,
      // m0's `race` suggestion adds to the import above the edit: its fix spans the edit, so m0 is re-linted too
      // (that member alone, not the class); the others take signals, whose reports have no suggestion.
      ...Array.from({ length: 8 }, (_, i) => `  async m${i}(${i === 0 ? "ctx: Context" : "signal: AbortSignal"}): Promise<number> {\n    await new Promise((r) => setTimeout(r, ${i}));\n    void ${i === 0 ? "ctx" : "signal"};\n    return this.ids.length;\n  }`),
      `}`,
      `export async function make(ctx: Context): Promise<Tracker> {`,
      `  void ctx;`,
      `  return new Tracker([]);`,
      `}`,
      ``,
    ].join("\n");
    const { edit } = await servers(text);
    const partial = await editPartially(edit, text.replace("    this.ids = ids;", "    this.ids = [...ids];"), 3, "the constructor, make() and m0()");
    assert.equal(partial.filter((d) => d.code === "ctxkit/no-unbounded-await").length, 8, JSON.stringify(partial.map((d) => [d.code, d.range.start.line])));
  });

  it("lints one statement of a namespace of code partially (generated codecs), its users with it", async () => {
    const { edit } = await servers();
    const before = h!.server.stats.partialLints;
    const [partial, reference] = await edit(BIG.replace("      const text = await load(url, { signal });\n      return text;\n    }\n  }", "      const text = await load(url);\n      await fetchThing(todo(), 1);\n      return text;\n    }\n  }"));
    assert.equal(h!.server.stats.partialLints, before + 1, "the edit is inside a function of a namespace");
    assert.deepEqual(partial, reference);
    const lineOf = (needle: string): number => BIG.split("\n").findIndex((l) => l.includes(needle));
    const decodeLine = lineOf("export async function decode(") + 1;
    const codes = partial.filter((d) => d.range.start.line >= decodeLine && d.range.start.line <= decodeLine + 1).map((d) => d.code).sort();
    assert.deepEqual(codes, ["ctxkit/no-dropped-context", "ctxkit/no-dropped-context"], JSON.stringify(partial.map((d) => [d.code, d.range.start.line])));
    // An edit in the codec, a `const` of the outer namespace: still partial, still the full lint's result.
    await edit(BIG);
    const [again, full] = await edit(BIG.replace("    cached = value;", "    cached = value;\n    await new Promise((r) => setTimeout(r, value));"));
    const trace = lastLintTrace();
    assert.equal(h!.server.stats.partialLints, before + 3, trace);
    // The codec and `seventhUser`, which names it; not `Other.codec` nor `Other.use`, whose `codec` is another one.
    assert.match(trace, /partial: 2 statement\(s\)/);
    assert.deepEqual(again, full);
    assert.ok(again.some((d) => d.code === "ctxkit/no-unbounded-await" && d.range.start.line === lineOf("    cached = value;") + 1), JSON.stringify(again.map((d) => [d.code, d.range.start.line])));
  });

  it("lints the whole file when the edit can change types or other files changed", async () => {
    const { edit } = await servers();
    const count = (): number => h!.server.stats.partialLints;
    let n = count();
    // A signature (outside every body).
    await edit(BIG.replace("export async function second(ctx: Context, input: number)", "export async function second(ctx: Context, input: string)"));
    assert.equal(count(), n, "a signature edit is linted in full");
    // A body whose function has no return type: its inferred type changes, and its callers (which name it) are
    // linted again — `seventh()`'s await on it becomes unbounded when it starts returning a promise.
    await edit(BIG);
    n = count();
    const [partial, reference] = await edit(BIG.replace("  return input + 1;", "  return slow(input);"));
    assert.equal(count(), n + 1, "an unannotated function's body edit is linted partially");
    assert.deepEqual(partial, reference);
    const seventhLine = BIG.split("\n").findIndex((l) => l.includes("return await plusOne(2);"));
    assert.ok(partial.some((d) => d.code === "ctxkit/no-unbounded-await" && d.range.start.line === seventhLine), `seventh()'s await is now unbounded: ${JSON.stringify(partial.map((d) => [d.code, d.range.start.line]))}`);
    await edit(BIG);
    n = count();
    // A directive comment in a body the slice would blank, then an edit in another body. A block directive acts on
    // the rest of the file; a line directive only on its own lines, which blanking keeps.
    const editBesideDirective = async (directive: string): Promise<number> => {
      const withDirective = BIG.replace("  const more = await cpu(value);", `  ${directive}\n  const more = await cpu(value);`);
      await edit(withDirective);
      const before = count();
      const [partialAnswer, fullAnswer] = await edit(withDirective.replace("  await sleep(ctx, 1);\n  const unused", "  await sleep(ctx, 2);\n  const unused"));
      assert.deepEqual(partialAnswer, fullAnswer, directive);
      return count() - before;
    };
    assert.equal(await editBesideDirective("/* eslint-disable ctxkit/no-unbounded-await */"), 0, "a block directive outside the dirty statements forces a full lint");
    assert.equal(await editBesideDirective("// eslint-disable-next-line ctxkit/no-unbounded-await"), 1, "a line directive elsewhere does not stop a partial lint");
    // A block directive in the body of a function the dirty code names (so its statement is kept in the slice): the
    // body stays in the slice with its directive, which acts there as in the full lint.
    await edit(BIG);
    const withKeptDirective = BIG.replace("  const doubled = n * 2;", "  /* eslint-disable ctxkit/no-unbounded-await */\n  const doubled = n * 2;");
    await edit(withKeptDirective);
    n = count();
    const [keptPartial, keptFull] = await edit(withKeptDirective.replace("  const n = await cpu(body.length);", "  const n = await cpu(body.length + 1);\n  await new Promise((r) => setTimeout(r, n));"));
    assert.equal(count(), n + 1, "a directive in a kept body does not stop a partial lint");
    assert.deepEqual(keptPartial, keptFull);
    // Back to the original (two bodies changed: full), then a plain body edit is partial.
    await edit(BIG);
    n = count();
    await edit(BIG.replace("  await sleep(ctx, 1);\n  const unused", "  await sleep(ctx, 3);\n  const unused"));
    assert.equal(count(), n + 1, "a body edit is linted partially");
  });
});
