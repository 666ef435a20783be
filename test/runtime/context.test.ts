import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import * as http from "node:http";
import { build } from "esbuild";
import {
  afterFunc, background, Canceled, cause, createKey, DeadlineExceeded, race, sleep, todo, withCancel,
  withCancelCause, withDeadline, withDeadlineCause, withoutCancel, withTimeout, withTimeoutCause, withValue,
  fromSignal, type CancelFunc, type Context, type Key,
} from "ctxkit";
import { deadlineHeaders, requestContext, withIncomingDeadline } from "ctxkit/node";
import { withFakeClock } from "./fake-clock.js";

// Ports of golang/go src/context/{x_test,context_test,afterfunc_test,net_test,example_test}.go. Each test
// names the Go test it ports; the Go tests that have no honest TypeScript analogue are listed in
// runtime/README.md ("Go's tests").

const shortDuration = 1; // ms
const veryLongDuration = 1000 * 3600 * 1000; // 1000 h, as in Go

/** Lets queued microtasks (afterFuncs, promise reactions) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
/** Whether `p` settled, checked after a flush of the microtask queue. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await flush();
  return done;
}
/** Internal: the number of entries in a ctxkit context's child set (Go's `len(pc.children)`). */
function childrenOf(ctx: Context): Set<unknown> {
  return (ctx as unknown as { children?: Set<unknown> }).children ?? new Set();
}
/** Go's `otherContext{c}`: a user-written Context that embeds (delegates everything to) `c`. */
function otherContext(c: Context): Context {
  return {
    deadline: () => c.deadline(),
    done: () => c.done(),
    err: () => c.err(),
    value: (k) => c.value(k),
    get signal() {
      return c.signal;
    },
  };
}
/** Go's `customDoneContext`: delegates to `c` but has its own done()/signal, settled by `close()`. */
function customDoneContext(c: Context): Context & { close(): void } {
  const ac = new AbortController();
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    deadline: () => c.deadline(),
    done: () => done,
    err: () => c.err(),
    value: (k) => c.value(k),
    signal: ac.signal,
    close() {
      resolve();
      ac.abort();
    },
  };
}
/** Go's `customContext` (newCustomContext): done when its parent is, or when its own cancel is called. */
function newCustomContext(parent: Context): [Context, CancelFunc] {
  const ac = new AbortController();
  let err: Error | undefined;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const finish = (e: Error): void => {
    if (err) return;
    err = e;
    resolve();
    ac.abort(e);
  };
  afterFunc(parent, () => finish(parent.err()!));
  const ctx: Context = {
    deadline: () => parent.deadline(),
    done: () => done,
    err: () => err,
    value: (k) => parent.value(k),
    signal: ac.signal,
  };
  return [ctx, () => finish(Canceled)];
}
/** Go's `afterFuncContext`: a user-written Context with the AfterFunc hook and no signal of its own. */
class AfterFuncContext {
  readonly afterFuncs = new Map<object, () => void>();
  private error: Error | undefined;
  private resolve!: () => void;
  private readonly donePromise = new Promise<void>((r) => (this.resolve = r));
  deadline(): Date | undefined {
    return undefined;
  }
  done(): Promise<void> {
    return this.donePromise;
  }
  err(): Error | undefined {
    return this.error;
  }
  value<T>(_key: Key<T>): T | undefined {
    return undefined;
  }
  afterFunc(f: () => void): () => boolean {
    const k = {};
    this.afterFuncs.set(k, f);
    return () => this.afterFuncs.delete(k);
  }
  cancel(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.resolve();
    for (const f of this.afterFuncs.values()) queueMicrotask(f); // Go: `go f()`
    this.afterFuncs.clear();
  }
}
const asContext = (c: AfterFuncContext): Context => c as unknown as Context;

describe("ctxkit runtime: ports of Go's context tests", () => {
  describe("Background, TODO, WithCancel", () => {
    for (const [name, make, label] of [["TestBackground", background, "context.Background"], ["TestTODO", todo, "context.TODO"]] as const) {
      it(`${name}: never cancelled, ${label}`, async () => {
        const c = make();
        assert.equal(c, make());
        assert.equal(c.err(), undefined);
        assert.equal(c.deadline(), undefined);
        assert.equal(c.value(createKey("k")), undefined);
        assert.equal(cause(c), undefined);
        assert.equal(c.done(), c.done());
        assert.equal(await settled(c.done()), false);
        assert.equal(c.signal.aborted, false);
        assert.equal(String(c), label);
      });
    }

    it("TestWithCancel: cancel propagates synchronously, also through a user-written context", async () => {
      const [c1, cancel] = withCancel(background());
      assert.equal(String(c1), "context.Background.WithCancel");
      const o = otherContext(c1);
      const [c2] = withCancel(o);
      const contexts = [c1, o, c2];
      for (const c of contexts) {
        assert.equal(c.err(), undefined);
        assert.equal(c.signal.aborted, false);
        assert.equal(await settled(c.done()), false);
      }
      cancel();
      for (const c of contexts) {
        assert.equal(c.err(), Canceled); // no await: synchronous
        assert.equal(c.signal.aborted, true);
        assert.equal(c.signal.reason, Canceled);
      }
      for (const c of contexts) assert.equal(await settled(c.done()), true);
      cancel(); // idempotent
      assert.equal(c1.err(), Canceled);
    });

    it("TestParentFinishesChild: the parent holds its cancel, timer (through a value layer) and afterFunc children, and drops them on cancel", () => {
      const [parent, cancel] = withCancel(background());
      const [cancelChild, stop1] = withCancel(parent);
      const valueChild = withValue(parent, createKey<string>("key"), "value");
      const [timerChild, stop2] = withTimeout(valueChild, veryLongDuration);
      const afterStop = afterFunc(parent, () => {});
      try {
        for (const c of [parent, cancelChild, valueChild, timerChild]) assert.equal(c.err(), undefined);
        const kids = childrenOf(parent);
        assert.equal(kids.size, 3);
        assert.ok(kids.has(cancelChild) && kids.has(timerChild));
        assert.equal([...kids].filter((k) => k !== cancelChild && k !== timerChild).length, 1); // the afterFunc
        assert.equal(valueChild.done(), parent.done());
        cancel();
        assert.equal(childrenOf(parent).size, 0);
        for (const c of [parent, cancelChild, valueChild, timerChild]) assert.equal(c.err(), Canceled);
        assert.equal((timerChild as unknown as { timer?: unknown }).timer, undefined);
        const precanceledChild = withValue(parent, createKey<string>("key"), "value");
        assert.equal(precanceledChild.err(), Canceled);
        assert.equal(precanceledChild.signal.aborted, true);
      } finally {
        stop1();
        stop2();
        afterStop();
      }
    });

    it("TestChildFinishesFirst: a child's cancel removes it from the parent and leaves the parent live", () => {
      const [cancelable, stop] = withCancel(background());
      for (const parent of [background(), cancelable]) {
        const [child, cancel] = withCancel(parent);
        assert.equal(child.err(), undefined);
        if (parent === cancelable) assert.deepEqual([...childrenOf(parent)], [child]);
        cancel();
        assert.equal(childrenOf(parent).size, 0);
        assert.equal(child.err(), Canceled);
        assert.equal(parent.err(), undefined);
        assert.equal(parent.signal.aborted, false);
      }
      stop();
    });

    it("TestCancelRemoves: WithCancel, WithTimeout and AfterFunc's stop each take the child count 0 → 1 → 0", () => {
      const check = (ctx: Context, want: number, when: string): void => assert.equal(childrenOf(ctx).size, want, when);
      let [ctx] = withCancel(background());
      check(ctx, 0, "after creation");
      const [, cancel1] = withCancel(ctx);
      check(ctx, 1, "with WithCancel child");
      cancel1();
      check(ctx, 0, "after canceling WithCancel child");

      [ctx] = withCancel(background());
      const [, cancel2] = withTimeout(ctx, 60 * 60_000);
      check(ctx, 1, "with WithTimeout child");
      cancel2();
      check(ctx, 0, "after canceling WithTimeout child");

      [ctx] = withCancel(background());
      const stop = afterFunc(ctx, () => {});
      check(ctx, 1, "with AfterFunc child");
      assert.equal(stop(), true);
      check(ctx, 0, "after stopping AfterFunc child");
    });

    it("TestWithCancelCanceledParent: a child of a cancelled parent is born cancelled with its err and cause", () => {
      const [parent, pcancel] = withCancelCause(background());
      const why = new Error("Because!");
      pcancel(why);
      for (const [c] of [withCancel(parent), withTimeout(parent, veryLongDuration), withDeadline(parent, Date.now() - 1000)]) {
        assert.equal(c.err(), Canceled); // also for an expired deadline: the parent's cancellation comes first
        assert.equal(cause(c), why);
        assert.equal(c.signal.reason, why);
        assert.equal(childrenOf(parent).size, 0);
      }
    });

    it("TestWithCancelSimultaneouslyCanceledParent (analogue): a parent cancelled in a microtask while the child is created", async () => {
      for (let i = 0; i < 100; i++) {
        const [parent, pcancel] = withCancelCause(background());
        const why = new Error("Because!");
        queueMicrotask(() => pcancel(why)); // Go: `go pcancel(cause)`
        const [c] = withCancel(parent);
        await c.done();
        assert.equal(c.err(), Canceled);
        assert.equal(cause(c), why);
      }
    });

    it("TestSimultaneousCancels (sequential analogue): a 4-ary tree of 100 contexts cancelled in random order", async () => {
      const [root, rootCancel] = withCancel(background());
      const all: [Context, CancelFunc][] = [[root, rootCancel]];
      const queue = [root];
      while (queue.length && all.length < 100) {
        const parent = queue.shift()!;
        for (let i = 0; i < 4; i++) {
          const s = withCancel(parent);
          all.push([s.ctx, s.cancel]);
          queue.push(s.ctx);
        }
      }
      const order = [...all].sort(() => Math.random() - 0.5);
      for (const [, cancel] of order) cancel();
      for (const [ctx] of all) assert.equal(ctx.err(), Canceled);
      await Promise.all(all.map(([ctx]) => ctx.done()));
      for (const [ctx] of all) assert.equal(childrenOf(ctx).size, 0);
    });

    it("TestInterlockedCancels: cancelling the child from the parent's listener or afterFunc is safe", async () => {
      const [parent, cancelParent] = withCancel(background());
      const [child, cancelChild] = withCancel(parent);
      const [child2, cancelChild2] = withCancelCause(parent);
      parent.signal.addEventListener("abort", () => cancelChild());
      afterFunc(parent, () => cancelChild2(new Error("late")));
      cancelParent();
      assert.equal(child.err(), Canceled);
      assert.equal(child2.err(), Canceled);
      await child.done();
      await flush();
      assert.equal(cause(child2), Canceled); // the parent's cancellation came first
    });

    for (const [name, timeout] of [["TestLayersCancel", false], ["TestLayersTimeout", true]] as const) {
      it(`${name}: ≥ 30 random layers of values, cancels and timeouts`, async () => {
        const vals: Key<object>[] = [];
        const cancels: CancelFunc[] = [];
        let timers = 0;
        let ctx = background();
        for (let i = 0; i < 30 || timers === 0 || cancels.length === 0 || vals.length === 0; i++) {
          const r = Math.floor(Math.random() * 3);
          if (r === 0) {
            const k = createKey<object>(`v${i}`);
            ctx = withValue(ctx, k, k);
            vals.push(k);
          } else if (r === 1) {
            const s = withCancel(ctx);
            ctx = s.ctx;
            cancels.push(s.cancel);
          } else {
            const s = withTimeout(ctx, timeout ? shortDuration : veryLongDuration);
            ctx = s.ctx;
            cancels.push(s.cancel);
            timers++;
          }
        }
        const checkValues = (): void => vals.forEach((k) => assert.equal(ctx.value(k), k));
        assert.ok(String(ctx).startsWith("context.Background."), String(ctx));
        checkValues();
        if (timeout) {
          await ctx.done();
          assert.equal(ctx.err(), DeadlineExceeded);
        } else {
          assert.equal(ctx.err(), undefined);
          cancels[Math.floor(Math.random() * cancels.length)]!();
          assert.equal(ctx.err(), Canceled);
        }
        checkValues();
        cancels.forEach((c) => c());
      });
    }
  });

  describe("deadlines", () => {
    it("TestDeadline: WithDeadline fires DeadlineExceeded, also through and under a user-written context; past and now expire at creation", async () => {
      let [c] = withDeadline(background(), Date.now() + shortDuration);
      assert.ok(String(c).startsWith("context.Background.WithDeadline("), String(c));
      await c.done();
      assert.equal(c.err(), DeadlineExceeded);

      [c] = withDeadline(background(), new Date(Date.now() + shortDuration));
      const o = otherContext(c);
      await o.done();
      assert.equal(o.err(), DeadlineExceeded);

      [c] = withDeadline(background(), Date.now() + shortDuration);
      const [c2, cancel2] = withDeadline(otherContext(c), Date.now() + veryLongDuration);
      assert.ok(String(c2).endsWith(".WithCancel"), "a later deadline is shortened to the parent's");
      await c2.done();
      assert.equal(c2.err(), DeadlineExceeded);
      cancel2();

      for (const [past, label] of [[new Date(Date.now() - shortDuration), "inthepast"], [new Date(), "now"]] as const) {
        const [d] = withDeadline(background(), past);
        assert.equal(d.err(), DeadlineExceeded, label); // synchronously, no timer hop
        assert.equal(d.signal.reason, DeadlineExceeded);
      }
    });

    it("TestTimeout: WithTimeout prints WithDeadline, fires, and is shortened under an earlier parent", async () => {
      let [c] = withTimeout(background(), shortDuration);
      assert.ok(String(c).startsWith("context.Background.WithDeadline("), String(c));
      await c.done();
      assert.equal(c.err(), DeadlineExceeded);
      assert.equal(cause(c), DeadlineExceeded);

      [c] = withTimeout(background(), shortDuration);
      const o = otherContext(c);
      await o.done();
      assert.equal(o.err(), DeadlineExceeded);

      [c] = withTimeout(background(), shortDuration);
      const [c2, cancel2] = withTimeout(otherContext(c), veryLongDuration);
      await c2.done();
      assert.equal(c2.err(), DeadlineExceeded);
      cancel2();
    });

    it("TestCanceledTimeout: cancel before expiry gives Canceled, synchronously through a user-written parent", () => {
      const [c, cancel0] = withTimeout(background(), 1000);
      const [c2, cancel] = withTimeout(otherContext(c), veryLongDuration);
      cancel();
      assert.equal(c2.err(), Canceled);
      assert.equal(c2.signal.aborted, true);
      assert.equal(c.err(), undefined);
      cancel0();
    });

    it("ExampleWithDeadline / ExampleWithTimeout: race(ctx, never) rejects with `context deadline exceeded`", async () => {
      for (const [ctx, cancel] of [withDeadline(background(), Date.now() + shortDuration), withTimeout(background(), shortDuration)]) {
        await assert.rejects(race(ctx, new Promise(() => {})), (e: Error) => e === DeadlineExceeded && e.message === "context deadline exceeded");
        cancel();
      }
    });

    it("shortening (Go's WithDeadline doc): a later deadline gets the parent's, no timer, no cause; an equal one gets its own timer", () => {
      withFakeClock((clock) => {
        const [parent, cancelParent] = withTimeoutCause(background(), 1000, new Error("parent too slow"));
        const timersBefore = clock.pending;
        const [later] = withDeadlineCause(parent, clock.now + 5000, new Error("child too slow"));
        assert.equal(clock.pending, timersBefore, "no timer for a deadline the parent beats");
        assert.equal(later.deadline()!.getTime(), parent.deadline()!.getTime());
        assert.ok(String(later).endsWith(".WithCancel"), String(later));
        const [equal] = withDeadline(parent, parent.deadline()!);
        assert.equal(clock.pending, timersBefore + 1, "an equal deadline is a timer context of its own");
        assert.ok(String(equal).includes(".WithDeadline("), String(equal));
        clock.advance(1000);
        assert.equal(later.err(), DeadlineExceeded);
        assert.equal((cause(later) as Error).message, "parent too slow"); // the child's cause was dropped
        cancelParent();
      });
    });

    it("deadline(): inherited by descendants without their own; a value layer reports its parent's", () => {
      const at = Date.now() + 60_000;
      const [d, cancel] = withDeadline(background(), at);
      const [c] = withCancel(withValue(d, createKey("k"), 1));
      assert.equal(d.deadline()!.getTime(), at);
      assert.equal(c.deadline()!.getTime(), at);
      assert.equal(withoutCancel(c).deadline(), undefined);
      cancel();
    });

    it("err() never reads the clock: a passed deadline is reported only when its timer runs", () => {
      withFakeClock((clock) => {
        const [c] = withTimeout(background(), 50);
        clock.now += 10_000; // time passes, but no timer ran yet
        assert.equal(c.err(), undefined);
        clock.advance(0);
        assert.equal(c.err(), DeadlineExceeded);
      });
    });

    it("a deadline timer is cleared on every path to done, and none is made for an expired deadline", () => {
      withFakeClock((clock) => {
        const [a, cancelA] = withTimeout(background(), 60_000); // own cancel
        assert.equal(clock.pending, 1);
        cancelA();
        assert.equal(a.err(), Canceled);
        assert.equal(clock.pending, 0);

        const [p, cancelP] = withCancel(background()); // parent's cancel
        withTimeout(p, 60_000);
        withTimeout(withValue(p, createKey("k"), 1), 60_000);
        assert.equal(clock.pending, 2);
        cancelP();
        assert.equal(clock.pending, 0);

        const [q, cancelQ] = withCancel(background()); // through a user-written parent
        withTimeout(otherContext(q), 60_000);
        withTimeout(customDoneContext(q), 60_000);
        assert.equal(clock.pending, 2);
        cancelQ();
        assert.equal(clock.pending, 1); // the custom-done child follows the custom signal only
        const custom = customDoneContext(background());
        withTimeout(custom, 60_000);
        custom.close();
        assert.equal(clock.pending, 1);

        const ac = new AbortController(); // a foreign signal
        const [f] = fromSignal(background(), ac.signal);
        withTimeout(f, 60_000);
        ac.abort();
        assert.equal(clock.pending, 1);

        {
          using s = withTimeout(background(), 60_000); // `using`
          assert.equal(s.ctx.err(), undefined);
          assert.equal(clock.pending, 2);
        }
        assert.equal(clock.pending, 1);

        const [outer] = withTimeout(background(), 500); // an outer deadline fires: the inner timer goes too
        const [inner] = withTimeout(outer, 500);
        assert.equal(clock.pending, 3);
        clock.advance(500);
        assert.equal(outer.err(), DeadlineExceeded);
        assert.equal(inner.err(), DeadlineExceeded);
        assert.equal(clock.pending, 1);

        const before = clock.delays.length; // expired at creation: no timer at all
        withTimeout(background(), 0);
        withTimeout(background(), -5);
        withDeadline(background(), new Date(clock.now));
        assert.equal(clock.delays.length, before);
        clock.timers.clear();
      });
    });

    it("delays beyond 2^31-1 ms are re-armed, never fired early (deadlines and sleep)", async () => {
      const far = 40 * 24 * 3600_000; // 40 days > 2^31-1 ms (24.8 days)
      await withFakeClock(async (clock) => {
        const [c, cancel] = withTimeout(background(), far);
        let slept = false;
        const s = sleep(background(), far).then(() => (slept = true));
        assert.ok(clock.delays.every((d) => d <= 2 ** 31 - 1), String(clock.delays));
        clock.advance(1);
        clock.advance(far - 1000);
        await flush();
        assert.equal(c.err(), undefined, "a 40-day deadline has not fired after 1 ms or 39.99 days");
        assert.equal(slept, false);
        clock.advance(1000);
        assert.equal(c.err(), DeadlineExceeded);
        await s;
        assert.equal(slept, true);
        assert.equal(clock.pending, 0);
        cancel();
      });
    });

    it("a pending deadline does not keep the process alive (its timer is unref'd); sleep's timer does", async () => {
      withFakeClock((clock) => {
        const [, cancel] = withTimeout(background(), 60_000);
        assert.equal([...clock.timers.values()][0]!.hasRef(), false);
        cancel();
        void sleep(background(), 10);
        assert.equal([...clock.timers.values()][0]!.hasRef(), true);
        clock.advance(10);
      });
      await flush();
    });

    it("withTimeout(Infinity) has no deadline and no timer; a NaN timeout or invalid Date is a RangeError", () => {
      withFakeClock((clock) => {
        const [c, cancel] = withTimeout(background(), Infinity);
        assert.equal(c.deadline(), undefined);
        assert.equal(clock.pending, 0);
        cancel();
        assert.equal(c.err(), Canceled);
      });
      assert.throws(() => withTimeout(background(), NaN), /withTimeout: timeout must be a number of milliseconds, got NaN/);
      assert.throws(() => withDeadline(background(), new Date("nope")), /withDeadline: invalid deadline Invalid Date/);
      assert.throws(() => withDeadline(null as unknown as Context, NaN), TypeError, "the parent is checked first");
    });
  });

  describe("values and String()", () => {
    it("TestValues: innermost wins, distinct keys with equal names, Go's String() of value layers", () => {
      const k1 = createKey<string | undefined>("context_test.key1");
      const k2 = createKey<string | undefined>("context_test.key2(1)");
      const k3 = createKey<string | undefined>("context_test.key2(3)");
      const check = (c: Context, v1: string, v2: string, v3: string): void => {
        assert.equal(c.value(k1), v1 || undefined);
        assert.equal(c.value(k2), v2 || undefined);
        assert.equal(c.value(k3), v3 || undefined);
      };
      check(background(), "", "", "");
      const c1 = withValue(background(), k1, "c1k1");
      check(c1, "c1k1", "", "");
      assert.equal(String(c1), "context.Background.WithValue(context_test.key1, c1k1)");
      const c2 = withValue(c1, k2, "c2k2");
      check(c2, "c1k1", "c2k2", "");
      assert.equal(String(c2), "context.Background.WithValue(context_test.key1, c1k1).WithValue(context_test.key2(1), c2k2)");
      const c3 = withValue(c2, k3, "c3k3");
      check(c3, "c1k1", "c2k2", "c3k3");
      const c4 = withValue(c3, k1, undefined);
      check(c4, "", "c2k2", "c3k3");
      assert.equal(
        String(c4),
        "context.Background.WithValue(context_test.key1, c1k1).WithValue(context_test.key2(1), c2k2).WithValue(context_test.key2(3), c3k3).WithValue(context_test.key1, <nil>)",
      );
      check(otherContext(background()), "", "", "");
      const o1 = otherContext(withValue(background(), k1, "c1k1"));
      check(o1, "c1k1", "", "");
      check(withValue(o1, k2, "o2k2"), "c1k1", "o2k2", "");
      const o3 = otherContext(c4);
      check(o3, "", "c2k2", "c3k3");
      check(withValue(o3, k3, undefined), "", "c2k2", "");
      assert.notEqual(createKey("same"), createKey("same"));
    });

    it("ExampleWithValue: found value / key not found", () => {
      const language = createKey<string>("language");
      const color = createKey<string>("color");
      const ctx = withValue(background(), language, "Go");
      const f = (k: Key<string>): string => (ctx.value(k) !== undefined ? `found value: ${ctx.value(k)}` : `key not found: ${k.name}`);
      assert.deepEqual([f(language), f(color)], ["found value: Go", "key not found: color"]);
    });

    it("TestWithValueChecksKey: a null or undefined key is a TypeError (every JS value is comparable)", () => {
      assert.throws(() => withValue(background(), null as never, "bar"), { name: "TypeError", message: "ctxkit.withValue: key is null" });
      assert.throws(() => withValue(background(), undefined as never, "bar"), { name: "TypeError", message: "ctxkit.withValue: key is undefined" });
    });

    it("String(): Go's names for every kind of context", () => {
      const bg = "context.Background";
      assert.equal(String(withCancelCause(background()).ctx), `${bg}.WithCancel`);
      assert.equal(String(withoutCancel(background())), `${bg}.WithoutCancel`);
      assert.equal(String(withCancel(todo()).ctx), "context.TODO.WithCancel");
      const t = withTimeoutCause(background(), 60_000, new Error("x"));
      assert.match(String(t.ctx), /^context\.Background\.WithDeadline\(\d{4}-\d\d-\d\dT[\d:.]+Z \[\d+ms\]\)$/);
      assert.match(String(withDeadlineCause(t.ctx, Date.now() + 1000, 1).ctx), /\.WithDeadline\(.*\)\.WithDeadline\(/);
      assert.match(String(withTimeout(t.ctx, veryLongDuration).ctx), /\)\.WithCancel$/);
      assert.equal(String(withValue(withoutCancel(withCancel(background()).ctx), createKey("k"), 7)), `${bg}.WithCancel.WithoutCancel.WithValue(k, 7)`);
      t.cancel();
    });
  });

  describe("errors and causes", () => {
    it("TestDeadlineExceededSupportsTimeout / TestDeadlineExceededIsNetError: timeout() and temporary() are true", () => {
      assert.equal(DeadlineExceeded.timeout(), true);
      assert.equal(DeadlineExceeded.temporary(), true);
      assert.equal(DeadlineExceeded.message, "context deadline exceeded");
      assert.equal(Canceled.message, "context canceled");
      assert.equal("timeout" in Canceled, false);
      assert.ok(Canceled instanceof Error && DeadlineExceeded instanceof Error);
    });

    it("TestInvalidDerivedFail: a null or undefined parent is a TypeError naming the function", () => {
      const fns: [string, (p: Context) => unknown][] = [
        ["withCancel", (p) => withCancel(p)],
        ["withCancelCause", (p) => withCancelCause(p)],
        ["withDeadline", (p) => withDeadline(p, Date.now() + 1)],
        ["withDeadlineCause", (p) => withDeadlineCause(p, Date.now() + 1, 1)],
        ["withTimeout", (p) => withTimeout(p, 1)],
        ["withTimeoutCause", (p) => withTimeoutCause(p, 1, 1)],
        ["withValue", (p) => withValue(p, createKey("foo"), "bar")],
        ["withoutCancel", (p) => withoutCancel(p)],
        ["afterFunc", (p) => afterFunc(p, () => {})],
        ["fromSignal", (p) => fromSignal(p, new AbortController().signal)],
      ];
      for (const [name, f] of fns) {
        for (const bad of [null, undefined]) {
          assert.throws(() => f(bad as unknown as Context), { name: "TypeError", message: `ctxkit.${name}: cannot create context from ${bad} parent` });
        }
        assert.throws(() => f({ done() {} } as unknown as Context), { name: "TypeError", message: new RegExp(`ctxkit\\.${name}: parent is not a Context`) });
      }
    });

    it("TestCause: the full table (first cancellation wins; Cause variants' cancel sets no cause)", () => {
      const forever = 1e6 * 1000;
      const parentCause = new Error("parentCause");
      const childCause = new Error("childCause");
      const tooSlow = new Error("tooSlow");
      const finishedEarly = new Error("finishedEarly");
      const table: { name: string; ctx: () => Context; err: Error | undefined; cause: unknown }[] = [
        { name: "Background", ctx: background, err: undefined, cause: undefined },
        { name: "TODO", ctx: todo, err: undefined, cause: undefined },
        { name: "WithCancel", ctx: () => { const [c, cancel] = withCancel(background()); cancel(); return c; }, err: Canceled, cause: Canceled },
        { name: "WithCancelCause", ctx: () => { const [c, cancel] = withCancelCause(background()); cancel(parentCause); return c; }, err: Canceled, cause: parentCause },
        { name: "WithCancelCause nil", ctx: () => { const [c, cancel] = withCancelCause(background()); cancel(null); return c; }, err: Canceled, cause: Canceled },
        { name: "WithCancelCause: parent cause before child", ctx: () => { const [p, cp] = withCancelCause(background()); const [c, cc] = withCancelCause(p); cp(parentCause); cc(childCause); return c; }, err: Canceled, cause: parentCause },
        { name: "WithCancelCause: parent cause after child", ctx: () => { const [p, cp] = withCancelCause(background()); const [c, cc] = withCancelCause(p); cc(childCause); cp(parentCause); return c; }, err: Canceled, cause: childCause },
        { name: "WithCancelCause: parent cause before nil", ctx: () => { const [p, cp] = withCancelCause(background()); const [c, cc] = withCancel(p); cp(parentCause); cc(); return c; }, err: Canceled, cause: parentCause },
        { name: "WithCancelCause: parent cause after nil", ctx: () => { const [p, cp] = withCancelCause(background()); const [c, cc] = withCancel(p); cc(); cp(parentCause); return c; }, err: Canceled, cause: Canceled },
        { name: "WithCancelCause: child cause after nil", ctx: () => { const [p, cp] = withCancel(background()); const [c, cc] = withCancelCause(p); cp(); cc(childCause); return c; }, err: Canceled, cause: Canceled },
        { name: "WithCancelCause: child cause before nil", ctx: () => { const [p, cp] = withCancel(background()); const [c, cc] = withCancelCause(p); cc(childCause); cp(); return c; }, err: Canceled, cause: childCause },
        { name: "WithTimeout", ctx: () => { const [c, cancel] = withTimeout(background(), 0); cancel(); return c; }, err: DeadlineExceeded, cause: DeadlineExceeded },
        { name: "WithTimeout canceled", ctx: () => { const [c, cancel] = withTimeout(background(), forever); cancel(); return c; }, err: Canceled, cause: Canceled },
        { name: "WithTimeoutCause", ctx: () => { const [c, cancel] = withTimeoutCause(background(), 0, tooSlow); cancel(); return c; }, err: DeadlineExceeded, cause: tooSlow },
        { name: "WithTimeoutCause canceled", ctx: () => { const [c, cancel] = withTimeoutCause(background(), forever, tooSlow); cancel(); return c; }, err: Canceled, cause: Canceled },
        { name: "WithTimeoutCause stacked", ctx: () => { const [p, cancel] = withCancelCause(background()); const [c] = withTimeoutCause(p, 0, tooSlow); cancel(finishedEarly); return c; }, err: DeadlineExceeded, cause: tooSlow },
        { name: "WithTimeoutCause stacked canceled", ctx: () => { const [p, cancel] = withCancelCause(background()); const [c] = withTimeoutCause(p, forever, tooSlow); cancel(finishedEarly); return c; }, err: Canceled, cause: finishedEarly },
        { name: "WithoutCancel", ctx: () => withoutCancel(background()), err: undefined, cause: undefined },
        { name: "WithoutCancel canceled", ctx: () => { const [p, cancel] = withCancelCause(background()); const c = withoutCancel(p); cancel(finishedEarly); return c; }, err: undefined, cause: undefined },
        { name: "WithoutCancel timeout", ctx: () => { const [p, cancel] = withTimeoutCause(background(), 0, tooSlow); const c = withoutCancel(p); cancel(); return c; }, err: undefined, cause: undefined },
        { name: "parent of custom context not canceled", ctx: () => { const [p] = withCancelCause(background()); const [c, cancel2] = newCustomContext(p); cancel2(); return c; }, err: Canceled, cause: Canceled },
        { name: "parent of custom context is canceled before", ctx: () => { const [p, cancel1] = withCancelCause(background()); const [c, cancel2] = newCustomContext(p); cancel1(parentCause); cancel2(); return c; }, err: Canceled, cause: parentCause },
        // As in Go ("this isn't really right"): cause() cannot tell that the custom child was cancelled first.
        { name: "parent of custom context is canceled after", ctx: () => { const [p, cancel1] = withCancelCause(background()); const [c, cancel2] = newCustomContext(p); cancel2(); cancel1(parentCause); return c; }, err: Canceled, cause: parentCause },
      ];
      for (const t of table) {
        const ctx = t.ctx();
        assert.equal(ctx.err(), t.err, `${t.name}: err`);
        assert.equal(cause(ctx), t.cause, `${t.name}: cause`);
      }
    });

    it("TestCauseRace (analogue): err and cause are published in one step, before any listener runs", () => {
      const why = new Error("TestCauseRace");
      const [ctx, cancel] = withCancelCause(background());
      const [child] = withCancel(ctx);
      const seen: unknown[] = [];
      for (const c of [ctx, child]) c.signal.addEventListener("abort", () => seen.push(c.err(), cause(c), c.signal.reason));
      cancel(why);
      assert.deepEqual(seen, [Canceled, why, why, Canceled, why, why]);
    });

    it("Err/Done ordering (golang/go#75533): no context reports err() while its signal is still live, even mid-cascade", () => {
      const [root, cancel] = withCancel(background());
      const nodes: Context[] = [root];
      for (let i = 0; i < 30; i++) nodes.push(withCancel(nodes[Math.floor(Math.random() * nodes.length)]!).ctx);
      nodes.push(withTimeout(nodes[5]!, veryLongDuration).ctx, withValue(nodes[7]!, createKey("k"), 1));
      let checks = 0;
      for (const n of nodes) {
        n.signal.addEventListener("abort", () => {
          for (const m of nodes) {
            if (m.err() !== undefined) {
              assert.equal(m.signal.aborted, true);
              checks++;
            }
          }
        });
      }
      cancel();
      assert.ok(checks >= nodes.length);
      for (const n of nodes) assert.equal(n.err(), Canceled);
    });

    it("TestWithoutCancel: keeps values, drops deadline and cancellation, under a cancelled or expired parent too", async () => {
      const key = createKey<string>("key");
      const [p, cancel] = withTimeoutCause(withValue(background(), key, "value"), 10_000, new Error("slow"));
      const ctx = withoutCancel(p);
      for (const when of ["live", "cancelled"]) {
        assert.equal(ctx.deadline(), undefined, when);
        assert.equal(ctx.err(), undefined, when);
        assert.equal(cause(ctx), undefined, when);
        assert.equal(ctx.value(key), "value", when);
        assert.equal(ctx.signal.aborted, false, when);
        assert.equal(await settled(ctx.done()), false, when);
        cancel();
      }
      const [child] = withCancel(ctx);
      assert.equal(child.err(), undefined, "a child of withoutCancel is not linked to the cancelled original");
      assert.equal(childrenOf(p).size, 0);
    });

    it("exceptions thrown by listeners are reported asynchronously and never stop the cascade", async () => {
      const saved = process.listeners("uncaughtException");
      process.removeAllListeners("uncaughtException");
      const caught: unknown[] = [];
      process.on("uncaughtException", (e) => caught.push(e));
      try {
        const [root, cancel] = withCancel(background());
        const [a] = withCancel(root);
        const [b] = withCancel(a);
        root.signal.addEventListener("abort", () => {
          throw new Error("boom 1");
        });
        a.signal.addEventListener("abort", () => {
          throw new Error("boom 2");
        });
        const bSig = b.signal;
        const ac = new AbortController();
        const [f] = fromSignal(root, ac.signal);
        ac.signal.addEventListener("abort", () => {
          throw new Error("boom 3");
        });
        cancel();
        assert.equal(b.err(), Canceled);
        assert.equal(bSig.aborted, true);
        assert.equal(f.err(), Canceled);
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(caught.map((e) => (e as Error).message).sort(), ["boom 1", "boom 2"]);
      } finally {
        process.removeAllListeners("uncaughtException");
        for (const l of saved) process.on("uncaughtException", l);
      }
    });
  });

  describe("afterFunc", () => {
    it("TestAfterFuncCalledAfterCancel: not before cancel, once after; stop() then returns false", async () => {
      const [ctx, cancel] = withCancel(background());
      let runs = 0;
      const stop = afterFunc(ctx, () => runs++);
      await flush();
      assert.equal(runs, 0);
      cancel();
      await flush();
      assert.equal(runs, 1);
      assert.equal(stop(), false);
      cancel();
      await flush();
      assert.equal(runs, 1);
    });

    it("TestAfterFuncCalledAfterTimeout: a deadline runs it", async () => {
      const [ctx, cancel] = withTimeout(background(), shortDuration);
      await new Promise<void>((resolve) => afterFunc(ctx, resolve));
      assert.equal(ctx.err(), DeadlineExceeded);
      cancel();
    });

    it("TestAfterFuncCalledImmediately: on a done context it is scheduled at once, but never run inline", async () => {
      const [ctx, cancel] = withCancel(background());
      cancel();
      let runs = 0;
      afterFunc(ctx, () => runs++);
      assert.equal(runs, 0);
      await flush();
      assert.equal(runs, 1);
    });

    it("TestAfterFuncNotCalledAfterStop: stop() before cancel returns true once and f never runs", async () => {
      const [ctx, cancel] = withCancel(background());
      let runs = 0;
      const stop = afterFunc(ctx, () => runs++);
      assert.equal(stop(), true);
      cancel();
      await flush();
      assert.equal(runs, 0);
      assert.equal(stop(), false);
    });

    it("TestAfterFuncCalledAsynchronously: cancel() returns before f runs", async () => {
      const [ctx, cancel] = withCancel(background());
      const order: string[] = [];
      afterFunc(ctx, () => order.push("f"));
      cancel();
      order.push("cancel returned");
      await flush();
      assert.deepEqual(order, ["cancel returned", "f"]);
    });

    it("afterFunc on a never-cancelled context registers nothing: f never runs, stop() is true once", async () => {
      let runs = 0;
      const stop = afterFunc(withoutCancel(background()), () => runs++);
      await flush();
      assert.deepEqual([runs, stop(), stop()], [0, true, false]);
    });

    it("ExampleAfterFunc_merge: merging ctx2's cancellation into ctx1 prints `ctx2 canceled`", async () => {
      const mergeCancel = (ctx: Context, cancelCtx: Context): [Context, CancelFunc] => {
        const [merged, cancel] = withCancelCause(ctx);
        const stop = afterFunc(cancelCtx, () => cancel(cause(cancelCtx)));
        return [merged, () => { stop(); cancel(Canceled); }];
      };
      const [ctx1, cancel1] = withCancelCause(background());
      const [ctx2, cancel2] = withCancelCause(background());
      const [merged, mergedCancel] = mergeCancel(ctx1, ctx2);
      cancel2(new Error("ctx2 canceled"));
      await merged.done();
      assert.equal((cause(merged) as Error).message, "ctx2 canceled");
      mergedCancel();
      cancel1(new Error("ctx1 canceled"));
    });

    it("ExampleAfterFunc_connection (analogue): an afterFunc aborts a pending read; !stop() means it ran", async () => {
      const [ctx, cancel] = withTimeout(background(), shortDuration);
      const read = (c: Context): Promise<string> =>
        new Promise((resolve) => {
          const stop = afterFunc(c, () => resolve("deadline"));
          setTimeout(() => { if (stop()) resolve("data"); }, 60_000).unref();
        });
      assert.equal(await read(ctx), "deadline");
      assert.equal(ctx.err()?.message, "context deadline exceeded");
      cancel();
    });

    it("ExampleWithCancel: a generator stops when its context is cancelled", async () => {
      async function* gen(ctx: Context): AsyncGenerator<number> {
        for (let n = 1; !ctx.err(); n++) {
          yield n;
          await race(ctx, Promise.resolve());
        }
      }
      const [ctx, cancel] = withCancel(background());
      const got: number[] = [];
      for await (const n of gen(ctx)) {
        got.push(n);
        if (n === 5) break;
      }
      cancel();
      assert.deepEqual(got, [1, 2, 3, 4, 5]);
    });
  });

  describe("user-written contexts as parents", () => {
    it("TestCustomContextGoroutines (listeners for goroutines): a delegating wrapper links directly, a custom done/signal gets one listener", () => {
      const listeners = (s: AbortSignal): number => getEventListeners(s, "abort").length;
      const d0 = customDoneContext(background());
      const [, cancel0] = withCancel(d0);
      assert.equal(listeners(d0.signal), 1);
      const [, cancel0b] = withTimeout(d0, veryLongDuration);
      assert.equal(listeners(d0.signal), 1, "one listener per foreign signal, however many children");
      cancel0();
      cancel0b();
      assert.equal(listeners(d0.signal), 0);

      const [ctx1, cancel1] = withCancel(background());
      const ctx2 = otherContext(ctx1); // Go's myCtx: does not override Done
      const [ctx3, cancel3] = withCancel(ctx2);
      assert.equal(listeners(ctx1.signal), 0);
      assert.ok(childrenOf(ctx1).has(ctx3), "linked into ctx1's child set, as Go's fast path");
      const d3 = customDoneContext(ctx2); // Go's myDoneCtx{ctx2}: its own Done must be used
      const [c3b, cancel3b] = withCancel(d3);
      assert.equal(listeners(d3.signal), 1);
      assert.ok(!childrenOf(ctx1).has(c3b));
      const [ctx4, cancel4] = withTimeout(ctx3, veryLongDuration);
      const [ctx5, cancel5] = withCancel(ctx4);
      cancel5();
      const [, cancel6] = withTimeout(ctx5, veryLongDuration);
      cancel6();
      cancel1();
      const [c7] = withCancel(ctx5); // applied to a cancelled context: no registration at all
      assert.equal(c7.err(), Canceled);
      assert.equal(listeners(ctx1.signal), 0);
      assert.equal(ctx4.err(), Canceled);
      assert.equal(c3b.err(), undefined, "it follows d3's own signal, which is still live");
      d3.close();
      assert.equal(c3b.err(), Canceled);
      assert.equal(listeners(d3.signal), 0);
      cancel3();
      cancel3b();
      cancel4();
    });

    it("TestCustomContextPropagation: a child follows its custom parent's own done with the parent's err and cause", () => {
      const why = new Error("TestCustomContextPropagation");
      const [ctx1, cancel1] = withCancelCause(background());
      const ctx2 = customDoneContext(ctx1);
      const [ctx3, cancel3] = withCancel(ctx2);
      cancel1(why);
      assert.equal(ctx3.err(), undefined);
      ctx2.close();
      assert.equal(ctx3.err(), Canceled);
      assert.equal(cause(ctx3), why);
      cancel3();
    });

    it("TestCustomContextCause: a custom context's cause is its err(); its child keeps its own cause", () => {
      const customCauseContext = (): Context & { cancel(): void } => {
        const ac = new AbortController();
        let err: Error | undefined;
        return {
          deadline: () => undefined,
          done: () => new Promise<void>(() => {}),
          err: () => err,
          value: () => undefined,
          signal: ac.signal,
          cancel() {
            err = Canceled;
            ac.abort();
          },
        };
      };
      let ccc = customCauseContext();
      ccc.cancel();
      assert.equal(ccc.err(), Canceled);
      assert.equal(cause(ccc), Canceled);

      ccc = customCauseContext();
      const [ctx, causeFunc] = withCancelCause(ccc);
      const why = new Error("TestCustomContextCause");
      causeFunc(why);
      assert.deepEqual([ctx.err(), cause(ctx), ccc.err(), cause(ccc)], [Canceled, why, undefined, undefined]);
      ccc.cancel();
      assert.deepEqual([ctx.err(), cause(ctx), ccc.err(), cause(ccc)], [Canceled, why, Canceled, Canceled]);

      ccc = customCauseContext();
      const [ctx2] = withCancel(ccc);
      ccc.cancel();
      assert.deepEqual([ctx2.err(), cause(ctx2), ccc.err(), cause(ccc)], [Canceled, Canceled, Canceled, Canceled]);
    });

    it("TestCustomContextAfterFuncCancel / TestCustomContextAfterFuncTimeout: children register through the parent's afterFunc", async () => {
      const ctx0 = new AfterFuncContext();
      const [ctx1, cancel1] = withCancel(asContext(ctx0));
      const [ctx2, cancel2] = withTimeout(asContext(ctx0), veryLongDuration);
      ctx0.cancel(Canceled);
      await ctx1.done();
      await ctx2.done();
      assert.equal(ctx1.err(), Canceled);
      assert.equal(ctx2.err(), Canceled);
      cancel1();
      cancel2();
    });

    it("TestCustomContextAfterFuncAfterFunc: afterFunc delegates to the parent's afterFunc", async () => {
      const ctx0 = new AfterFuncContext();
      let ran = false;
      const stop = afterFunc(asContext(ctx0), () => (ran = true));
      assert.equal(ctx0.afterFuncs.size, 1);
      ctx0.cancel(Canceled);
      await flush();
      assert.equal(ran, true);
      assert.equal(stop(), false);
    });

    it("TestCustomContextAfterFuncUnregisterCancel / …UnregisterTimeout / …UnregisterAfterFunc: cancel and stop unregister", () => {
      const ctx0 = new AfterFuncContext();
      const [, cancel1] = withCancel(asContext(ctx0));
      const [, cancel2] = withCancel(asContext(ctx0));
      assert.equal(ctx0.afterFuncs.size, 2);
      cancel1();
      cancel2();
      assert.equal(ctx0.afterFuncs.size, 0);
      const [, cancel3] = withTimeout(asContext(ctx0), veryLongDuration);
      assert.equal(ctx0.afterFuncs.size, 1);
      cancel3();
      assert.equal(ctx0.afterFuncs.size, 0);
      const stop = afterFunc(asContext(ctx0), () => {});
      assert.equal(ctx0.afterFuncs.size, 1);
      assert.equal(stop(), true);
      assert.equal(ctx0.afterFuncs.size, 0);
    });

    it("a done custom parent gives a child that is born done, with no registration", () => {
      const d = customDoneContext(background());
      const [p, cancel] = withCancelCause(background());
      const o = otherContext(p);
      cancel(new Error("gone"));
      const [c] = withCancel(o);
      assert.equal(c.err(), Canceled);
      assert.equal((cause(c) as Error).message, "gone");
      d.close();
      assert.equal(getEventListeners(d.signal, "abort").length, 0);
    });
  });

  describe("TypeScript surface", () => {
    it("scopes: [ctx, cancel], .ctx/.cancel and `using` are the same two things", () => {
      const s = withTimeout(background(), 10_000);
      const [ctx, cancel] = s;
      assert.equal(ctx, s.ctx);
      assert.equal(cancel, s.cancel);
      let seen: Context;
      {
        using u = withTimeout(background(), 10_000);
        seen = u.ctx;
        assert.equal(seen.err(), undefined);
      }
      assert.equal(seen.err(), Canceled);
      s.cancel();
    });

    it("race and sleep reject with the cause, settle like the promise otherwise", async () => {
      const [c, cancel] = withCancelCause(background());
      const why = new Error("stop");
      const r = race(c, new Promise<number>(() => {}));
      const s = sleep(c, 60_000);
      cancel(why);
      await assert.rejects(r, (e) => e === why);
      await assert.rejects(s, (e) => e === why);
      assert.equal(await race(background(), Promise.resolve(3)), 3);
      await assert.rejects(race(background(), Promise.reject(new Error("no"))), /no/);
      await assert.rejects(race(c, Promise.resolve(1)), (e) => e === why, "already done: rejects at once");
      await sleep(background(), 1);
      await assert.rejects(sleep(background(), NaN), RangeError);
    });

    it("fromSignal follows a foreign AbortSignal with one listener; a bad signal is refused without touching the parent", () => {
      const ac = new AbortController();
      const [parent, cancelParent] = withCancel(background());
      const [c] = fromSignal(parent, ac.signal);
      const [c2, cancel2] = fromSignal(parent, ac.signal);
      assert.equal(getEventListeners(ac.signal, "abort").length, 1);
      cancel2();
      assert.equal(c2.err(), Canceled);
      ac.abort("gone");
      assert.equal(c.err(), Canceled);
      assert.equal(cause(c), "gone");
      assert.equal(getEventListeners(ac.signal, "abort").length, 0);
      const [pre] = fromSignal(background(), AbortSignal.abort("already"));
      assert.equal(cause(pre), "already");
      assert.throws(() => fromSignal(parent, {} as AbortSignal), /fromSignal: signal is not an AbortSignal/);
      assert.equal(childrenOf(parent).size, 0);
      cancelParent();
    });

    it("the core bundles for the browser with no Node import", async () => {
      const out = await build({ entryPoints: ["runtime/src/index.ts"], bundle: true, platform: "browser", write: false, logLevel: "silent" });
      assert.doesNotMatch(out.outputFiles[0]!.text, /require\(|from "node:/);
    });
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
