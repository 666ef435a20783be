import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { getEventListeners } from "node:events";
import { join } from "node:path";
import { background, Canceled, race, sleep, withCancel, withCancelCause, type Context } from "ctxkit";
import { withFakeClock } from "./fake-clock.js";

const MB = 1024 * 1024;
const children = (ctx: Context): number => (ctx as unknown as { children?: Set<unknown> }).children?.size ?? 0;
const listeners = (s: AbortSignal): number => getEventListeners(s, "abort").length;

/** A user-written context with its own signal: ctxkit can only follow it through that signal. */
function customContext(): { ctx: Context; abort(reason?: unknown): void; signal: AbortSignal } {
  const ac = new AbortController();
  const ctx: Context = {
    deadline: () => undefined,
    done: () => new Promise(() => {}),
    err: () => (ac.signal.aborted ? Canceled : undefined),
    value: () => undefined,
    signal: ac.signal,
  };
  return { ctx, abort: (r) => ac.abort(r), signal: ac.signal };
}

describe("ctxkit runtime: leaks", () => {
  it("1M short-lived children of a long-lived parent (cancelled, or disposed with `using`) leave the heap within 1 MB; 100k signals give no MaxListeners warning", async function () {
    this.timeout(60_000);
    const worker = join(__dirname, "leak-worker.ts");
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--expose-gc", "--import", "tsx", worker], { maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const r = JSON.parse(out.trim().split("\n").pop()!) as {
      afterCancelled: number; afterUsing: number; childrenAfterCancelled: number; childrenAfterUsing: number;
      childrenWhileLive: number; ofCustomDone: boolean; warnings: string[];
    };
    assert.ok(r.afterCancelled < MB, `retained after 1M cancelled children: ${r.afterCancelled} bytes`);
    assert.ok(r.afterUsing < MB, `retained after 1M \`using\` children: ${r.afterUsing} bytes`);
    assert.equal(r.childrenAfterCancelled, 0);
    assert.equal(r.childrenAfterUsing, 0);
    assert.equal(r.childrenWhileLive, 100_000, "the worker really held 100k live children");
    assert.equal(r.ofCustomDone, true);
    assert.deepEqual(r.warnings, []);
  });

  describe("race and sleep leave nothing behind on every path", () => {
    it("race on a ctxkit context: resolve, reject and cancel each leave the child set empty", async () => {
      const [ctx, cancel] = withCancelCause(background());
      assert.equal(await race(ctx, Promise.resolve(1)), 1);
      assert.equal(children(ctx), 0, "resolve");
      await assert.rejects(race(ctx, Promise.reject(new Error("no"))), /no/);
      assert.equal(children(ctx), 0, "reject");
      let settle!: (v: number) => void;
      const pending = race(ctx, new Promise<number>((r) => (settle = r)));
      assert.equal(children(ctx), 1, "registered while pending");
      cancel(new Error("stop"));
      await assert.rejects(pending, /stop/);
      settle(2); // the losing promise settles later: nothing to clean up, nothing thrown
      await Promise.resolve();
      assert.equal(children(ctx), 0, "cancel");
    });

    it("race on a user-written context: resolve, reject and cancel each remove the one abort listener", async () => {
      for (const path of ["resolve", "reject", "cancel"] as const) {
        const c = customContext();
        const p = path === "resolve" ? Promise.resolve(1) : path === "reject" ? Promise.reject(new Error("no")) : new Promise<number>(() => {});
        const r = race(c.ctx, p);
        assert.equal(listeners(c.signal), 1, `${path}: one listener while pending`);
        if (path === "cancel") c.abort();
        await r.then(() => {}, () => {});
        assert.equal(listeners(c.signal), 0, path);
      }
    });

    it("race on a value layer over a child: the registration sits in the cancelable ancestor and leaves it", async () => {
      const [parent, cancel] = withCancel(background());
      const [child] = withCancel(parent);
      await race(child, Promise.resolve());
      assert.deepEqual([children(parent), children(child)], [1, 0]);
      cancel();
    });

    it("sleep: resolve and cancel each clear the timer and the registration, on ctxkit and user-written contexts", async () => {
      await withFakeClock(async (clock) => {
        const [ctx, cancel] = withCancel(background());
        const done = sleep(ctx, 100);
        assert.deepEqual([children(ctx), clock.pending], [1, 1]);
        clock.advance(100);
        await done;
        assert.deepEqual([children(ctx), clock.pending], [0, 0], "resolve");
        const cut = sleep(ctx, 100);
        cancel();
        await assert.rejects(cut, (e) => e === Canceled);
        assert.deepEqual([children(ctx), clock.pending], [0, 0], "cancel");

        const c = customContext();
        const s1 = sleep(c.ctx, 100);
        assert.deepEqual([listeners(c.signal), clock.pending], [1, 1]);
        clock.advance(100);
        await s1;
        assert.deepEqual([listeners(c.signal), clock.pending], [0, 0], "custom resolve");
        const s2 = sleep(c.ctx, 100);
        c.abort();
        await assert.rejects(s2);
        assert.deepEqual([listeners(c.signal), clock.pending], [0, 0], "custom cancel");
        await assert.rejects(sleep(c.ctx, 100));
        assert.deepEqual([listeners(c.signal), clock.pending], [0, 0], "already done: nothing registered");
      });
    });
  });
});
