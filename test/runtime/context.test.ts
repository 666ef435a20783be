import assert from "node:assert/strict";
import * as http from "node:http";
import { build } from "esbuild";
import {
  afterFunc, background, Canceled, cause, createKey, DeadlineExceeded, race, sleep, todo, withCancel,
  withCancelCause, withDeadline, withoutCancel, withTimeout, withTimeoutCause, withValue, fromSignal,
  type Context,
} from "ctxkit";
import { deadlineHeaders, requestContext, withIncomingDeadline } from "ctxkit/node";

describe("ctxkit runtime (ports of Go's context tests)", () => {
  it("TestBackground/TestTODO: never cancelled, Go names", () => {
    assert.equal(background().err(), undefined);
    assert.equal(background().deadline(), undefined);
    assert.equal(String(background()), "context.Background");
    assert.equal(String(todo()), "context.TODO");
    assert.equal(background(), background());
  });

  it("TestWithCancel: cancel is synchronous and reaches descendants", () => {
    const [c1, cancel] = withCancel(background());
    const [c2] = withCancel(c1);
    const v = withValue(c2, createKey<number>("k"), 1);
    const sig = c2.signal;
    assert.equal(String(c1), "context.Background.WithCancel");
    cancel();
    assert.equal(c1.err(), Canceled);
    assert.equal(c2.err(), Canceled);
    assert.equal(v.err(), Canceled);
    assert.equal(sig.aborted, true);
    assert.equal(sig.reason, Canceled);
    cancel(); // idempotent
    assert.equal(c1.err(), Canceled);
  });

  it("TestChildFinishesFirst: child cancel leaves the parent live", () => {
    const s = withCancel(background());
    const child = withCancel(s.ctx);
    child.cancel();
    assert.equal(s.ctx.err(), undefined);
    assert.equal(child.ctx.err(), Canceled);
  });

  it("TestWithCancelCanceledParent: children of cancelled parents are born cancelled with the cause", () => {
    const [p, cancel] = withCancelCause(background());
    const why = new Error("why");
    cancel(why);
    const [c] = withCancel(p);
    assert.equal(c.err(), Canceled);
    assert.equal(cause(c), why);
  });

  it("TestCause: first cancellation wins; Cause variants' cancel sets no cause", () => {
    const [p, cancelP] = withCancelCause(background());
    const [c, cancelC] = withCancelCause(p);
    const e1 = new Error("1");
    const e2 = new Error("2");
    cancelC(e2);
    cancelP(e1);
    assert.equal(cause(c), e2);
    assert.equal(cause(p), e1);
    const t = withTimeoutCause(background(), 10_000, e1);
    t.cancel();
    assert.equal(cause(t.ctx), Canceled);
  });

  it("TestDeadline/inthepast: an expired deadline cancels at creation", () => {
    const [c] = withTimeout(background(), 0);
    assert.equal(c.err(), DeadlineExceeded);
    const [d] = withDeadline(background(), new Date(Date.now() - 1000));
    assert.equal(d.err(), DeadlineExceeded);
    assert.equal(DeadlineExceeded.timeout(), true);
  });

  it("TestTimeout: the deadline fires and reports DeadlineExceeded", async () => {
    const [c] = withTimeout(background(), 5);
    assert.ok(String(c).startsWith("context.Background.WithDeadline("));
    await c.done();
    assert.equal(c.err(), DeadlineExceeded);
    assert.equal(cause(c), DeadlineExceeded);
  });

  it("TestDeadline shortening: a later child deadline gets WithCancel", () => {
    const parent = withTimeout(background(), 1000);
    const child = withTimeout(parent.ctx, 1_000_000);
    assert.ok(String(child.ctx).endsWith(".WithCancel"));
    assert.equal(child.ctx.deadline()?.getTime(), parent.ctx.deadline()?.getTime());
    parent.cancel();
    assert.equal(child.ctx.err(), Canceled);
  });

  it("TestValues: innermost wins, same-named keys differ, value layers share done()", () => {
    const k1 = createKey<string>("k");
    const k2 = createKey<string>("k");
    const base = withCancel(background()).ctx;
    const a = withValue(base, k1, "a");
    const b = withValue(a, k1, "b");
    assert.equal(b.value(k1), "b");
    assert.equal(a.value(k1), "a");
    assert.equal(b.value(k2), undefined);
    assert.equal(a.done(), base.done());
    assert.equal(String(withValue(background(), k1, "v")), "context.Background.WithValue(k, v)");
  });

  it("TestWithoutCancel: keeps values, drops cancellation", () => {
    const k = createKey<number>("n");
    const s = withCancel(withValue(background(), k, 7));
    const w = withoutCancel(s.ctx);
    s.cancel();
    assert.equal(w.err(), undefined);
    assert.equal(w.value(k), 7);
    assert.equal(cause(w), undefined);
  });

  it("TestAfterFuncCalledAsynchronously: never inline; stop prevents it", async () => {
    const s = withCancel(background());
    let ran = 0;
    afterFunc(s.ctx, () => ran++);
    const stop2 = afterFunc(s.ctx, () => ran += 100);
    assert.equal(stop2(), true);
    s.cancel();
    assert.equal(ran, 0);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(ran, 1);
    assert.equal(stop2(), false);
  });

  it("a user-written Context works as a parent", () => {
    const inner = withCancel(background());
    const custom: Context = {
      deadline: () => inner.ctx.deadline(),
      done: () => inner.ctx.done(),
      err: () => inner.ctx.err(),
      value: (k) => inner.ctx.value(k),
      get signal() { return inner.ctx.signal; },
    };
    const child = withCancel(custom);
    inner.cancel();
    assert.equal(child.ctx.err(), Canceled);
  });

  it("race and sleep reject with the cause and clear up", async () => {
    const [c, cancel] = withCancelCause(background());
    const why = new Error("stop");
    const slow = new Promise<number>(() => {});
    const r = race(c, slow);
    const s = sleep(c, 60_000);
    cancel(why);
    await assert.rejects(r, (e) => e === why);
    await assert.rejects(s, (e) => e === why);
    assert.equal(await race(background(), Promise.resolve(3)), 3);
  });

  it("fromSignal follows a foreign AbortSignal", () => {
    const ac = new AbortController();
    const [c] = fromSignal(background(), ac.signal);
    ac.abort("gone");
    assert.equal(c.err(), Canceled);
    assert.equal(cause(c), "gone");
  });

  it("using cancels at scope exit", () => {
    let seen: Context;
    {
      using s = withTimeout(background(), 10_000);
      seen = s.ctx;
      assert.equal(seen.err(), undefined);
    }
    assert.equal(seen.err(), Canceled);
  });

  it("bad input gets a TypeError/RangeError naming the argument", () => {
    assert.throws(() => withCancel(null as unknown as Context), /withCancel: cannot create context from null parent/);
    assert.throws(() => withValue(background(), null as never, 1), /key is null/);
    assert.throws(() => withTimeout(background(), NaN), RangeError);
    assert.throws(() => withDeadline(background(), new Date("nope")), RangeError);
    assert.throws(() => withCancel({} as Context), /not a Context/);
  });

  it("1M cancelled children of one parent do not accumulate", () => {
    const parent = withCancel(background());
    for (let i = 0; i < 1_000_000; i++) withCancel(parent.ctx).cancel();
    const children = (parent.ctx as unknown as { children?: Set<unknown> }).children;
    assert.equal(children?.size ?? 0, 0);
  });

  it("the core bundles for the browser with no Node import", async () => {
    const out = await build({ entryPoints: ["runtime/src/index.ts"], bundle: true, platform: "browser", write: false, logLevel: "silent" });
    assert.doesNotMatch(out.outputFiles[0]!.text, /require\(|from "node:/);
  });
});

describe("ctxkit/node", () => {
  it("deadlineHeaders and withIncomingDeadline round-trip grpc-timeout", () => {
    const s = withTimeout(background(), 1500);
    const h = deadlineHeaders(s.ctx);
    assert.match(h["grpc-timeout"]!, /^\d{1,8}[nu]$/);
    const inc = withIncomingDeadline(background(), h);
    const left = inc.ctx.deadline()!.getTime() - Date.now();
    assert.ok(left > 1000 && left <= 1500, String(left));
    assert.deepEqual(deadlineHeaders(background()), {});
    let bad = "";
    const ign = withIncomingDeadline(background(), new Headers({ "grpc-timeout": "12x" }), (v) => (bad = v));
    assert.equal(ign.ctx.deadline(), undefined);
    assert.equal(bad, "12x");
    s.cancel(); inc.cancel(); ign.cancel();
  });

  it("requestContext is cancelled when the client goes away", async () => {
    let ctx: Context | undefined;
    const server = http.createServer((req, res) => {
      ctx = requestContext(req, res).ctx;
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const req = http.get({ port, host: "127.0.0.1" });
    req.on("error", () => {});
    while (!ctx) await new Promise((r) => setTimeout(r, 5));
    req.destroy();
    await ctx.done();
    assert.equal(ctx.err(), Canceled);
    server.close();
  });
});
