import assert from "node:assert/strict";
import fc from "fast-check";
import {
  afterFunc, background, Canceled, cause, createKey, DeadlineExceeded, withCancel, withCancelCause, withDeadline,
  withDeadlineCause, withoutCancel, withTimeout, withTimeoutCause, withValue, type CancelCauseFunc, type Context,
} from "ctxkit";
import { withFakeClock } from "./fake-clock.js";

/**
 * Model-based test: random trees of cancel and value contexts and random cancels, checked after every step
 * against a reference model (a node is done iff it or an ancestor was cancelled; the first cause wins).
 */
interface ModelNode {
  parent: number | undefined;
  cause: unknown; // undefined while live
  value: number;
}

type Op = { kind: "child"; parent: number; withValue: boolean } | { kind: "cancel"; node: number; cause: number };

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("child" as const), parent: fc.nat(), withValue: fc.boolean() }),
    fc.record({ kind: fc.constant("cancel" as const), node: fc.nat(), cause: fc.nat(5) }),
  ),
  { maxLength: 60 },
);

describe("ctxkit runtime model", () => {
  it("matches the reference model over random trees and cancels", () => {
    const key = createKey<number>("n");
    fc.assert(
      fc.property(ops, (steps) => {
        const model: ModelNode[] = [{ parent: undefined, cause: undefined, value: -1 }];
        const real: { ctx: Context; cancel: CancelCauseFunc }[] = [{ ctx: background(), cancel: () => {} }];
        const causes = [0, 1, 2, 3, 4, 5].map((i) => new Error(`cause ${i}`));
        for (const step of steps) {
          if (step.kind === "child") {
            const p = step.parent % real.length;
            const s = withCancelCause(step.withValue ? withValue(real[p]!.ctx, key, real.length) : real[p]!.ctx);
            model.push({ parent: p, cause: p === 0 ? undefined : model[p]!.cause, value: step.withValue ? real.length : model[p]!.value });
            real.push({ ctx: s.ctx, cancel: s.cancel });
          } else {
            const n = step.node % real.length;
            if (n === 0) continue;
            const why = causes[step.cause]!;
            real[n]!.cancel(why);
            const mark = (i: number): void => {
              if (model[i]!.cause !== undefined) return;
              model[i]!.cause = why;
              model.forEach((m, j) => m.parent === i && mark(j));
            };
            mark(n);
          }
          model.forEach((m, i) => {
            const ctx = real[i]!.ctx;
            assert.equal(ctx.err(), m.cause === undefined ? undefined : Canceled);
            assert.equal(cause(ctx), m.cause);
            assert.equal(ctx.value(key), m.value === -1 ? undefined : m.value);
          });
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * The full model: cancel, Cause, deadline (past, future, shortened, equal), value, withoutCancel and
 * user-written wrapper layers, afterFunc registrations with stop, and time that moves on a fake clock (so a
 * deadline fires exactly when the model says, with no timing flakiness). After every step the real tree must
 * match the model: err, cause, deadline, values, String(), signal state, afterFunc run counts (which may only
 * change across a microtask flush: never inline) and the stop results.
 */
type Kind = "cancel" | "cancelCause" | "deadline" | "deadlineCause" | "value" | "without" | "other";
type FullOp =
  | { op: "child"; parent: number; kind: Kind; offset: number; equal: boolean; timeout: boolean }
  | { op: "cancel"; node: number; cause: number }
  | { op: "afterFunc"; node: number }
  | { op: "stop"; reg: number }
  | { op: "advance"; ms: number }
  | { op: "flush" };

interface FullNode {
  parent: number | undefined;
  kind: Kind | "root";
  /** Own cancellation state, only on cancelable nodes (root, cancel*, deadline*). */
  err: Error | undefined;
  cause: unknown;
  /** Armed own deadline (a timer context); undefined when shortened or plain. */
  timerAt: number | undefined;
  /** Own reported deadline (timer contexts), for deadline(). */
  ownDeadline: number | undefined;
  deadlineCause: unknown;
  value: number | undefined;
  /** What this layer adds to String(); a deadline's remaining time is computed when printed, as in Go. */
  label: () => string;
}
interface Reg {
  node: number;
  state: "waiting" | "due" | "stopped";
  ran: number;
}

const fullOps: fc.Arbitrary<FullOp[]> = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant("child" as const), parent: fc.nat(), kind: fc.constantFrom<Kind>("cancel", "cancelCause", "deadline", "deadlineCause", "value", "without", "other"), offset: fc.integer({ min: -500, max: 3000 }), equal: fc.boolean(), timeout: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("cancel" as const), node: fc.nat(), cause: fc.integer({ min: -1, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("afterFunc" as const), node: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("stop" as const), reg: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 1500 }) }) },
    { weight: 1, arbitrary: fc.constant({ op: "flush" as const }) },
  ),
  { maxLength: 50 },
);

async function microtasks(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

describe("ctxkit runtime full model (deadlines, causes, afterFuncs)", () => {
  it("matches the reference model over random trees, cancels, deadlines, time and afterFuncs", async function () {
    this.timeout(60_000);
    const key = createKey<number>("n");
    const causes = [0, 1, 2, 3].map((i) => new Error(`cause ${i}`));
    await fc.assert(
      fc.asyncProperty(fullOps, async (steps) => {
        await withFakeClock(async (clock) => {
          const [rootCtx, rootCancel] = withCancelCause(background());
          const model: FullNode[] = [{ parent: undefined, kind: "root", err: undefined, cause: undefined, timerAt: undefined, ownDeadline: undefined, deadlineCause: undefined, value: undefined, label: () => "context.Background.WithCancel" }];
          const real: { ctx: Context; cancel: (why?: unknown) => void }[] = [{ ctx: rootCtx, cancel: rootCancel }];
          const regs: Reg[] = [];
          const ran: number[] = [];
          const stops: (() => boolean)[] = [];

          const cancelable = (n: FullNode): boolean => n.kind === "root" || n.kind.startsWith("cancel") || n.kind.startsWith("deadline");
          /** The node whose cancellation node i shares, or undefined when nothing can cancel it. */
          const owner = (i: number): number | undefined => {
            for (let j: number | undefined = i; j !== undefined; j = model[j]!.parent) {
              const n = model[j]!;
              if (cancelable(n)) return j;
              if (n.kind === "without") return undefined;
            }
            return undefined;
          };
          const deadlineOf = (i: number): number | undefined => {
            for (let j: number | undefined = i; j !== undefined; j = model[j]!.parent) {
              const n = model[j]!;
              if (n.kind === "without") return undefined;
              if (n.ownDeadline !== undefined) return n.ownDeadline;
            }
            return undefined;
          };
          const errOf = (i: number): Error | undefined => {
            const o = owner(i);
            return o === undefined ? undefined : model[o]!.err;
          };
          const causeOf = (i: number): unknown => {
            const o = owner(i);
            return o === undefined || !model[o]!.err ? undefined : model[o]!.cause;
          };
          const cancelModel = (i: number, err: Error, why: unknown): void => {
            const n = model[i]!;
            if (n.err) return;
            n.err = err;
            n.cause = why;
            for (const r of regs) if (r.state === "waiting" && owner(r.node) === i) r.state = "due";
            model.forEach((m, j) => {
              if (j !== i && cancelable(m) && m.parent !== undefined && owner(m.parent) === i) cancelModel(j, err, why);
            });
          };

          for (const step of steps) {
            if (step.op === "child") {
              const p = step.parent % real.length;
              const parentCtx = real[p]!.ctx;
              const pm = model[p]!;
              const node: FullNode = { parent: p, kind: step.kind, err: undefined, cause: undefined, timerAt: undefined, ownDeadline: undefined, deadlineCause: undefined, value: pm.value, label: () => "" };
              let ctx: Context;
              let cancel: (why?: unknown) => void = () => {};
              const o = owner(p);
              const inherited = o !== undefined && model[o]!.err ? model[o]! : undefined;
              if (step.kind === "value") {
                ctx = withValue(parentCtx, key, real.length);
                node.value = real.length;
                const v = real.length;
                node.label = () => `${pm.label()}.WithValue(n, ${v})`;
              } else if (step.kind === "without") {
                ctx = withoutCancel(parentCtx);
                node.label = () => `${pm.label()}.WithoutCancel`;
              } else if (step.kind === "other") {
                const inner = parentCtx;
                ctx = { deadline: () => inner.deadline(), done: () => inner.done(), err: () => inner.err(), value: (k) => inner.value(k), get signal() { return inner.signal; }, toString: () => `${String(inner)}.Other` } as Context;
                node.label = () => `${pm.label()}.Other`;
              } else if (step.kind === "cancel" || step.kind === "cancelCause") {
                const s = step.kind === "cancel" ? withCancel(parentCtx) : withCancelCause(parentCtx);
                ctx = s.ctx;
                cancel = s.cancel as (why?: unknown) => void;
                node.label = () => `${pm.label()}.WithCancel`;
                if (inherited) [node.err, node.cause] = [inherited.err, inherited.cause];
              } else {
                const pd = deadlineOf(p);
                const at = step.equal && pd !== undefined ? pd : clock.now + step.offset;
                const why = step.kind === "deadlineCause" ? causes[(real.length % 3) + 1] : undefined;
                const s = step.timeout
                  ? step.kind === "deadline" ? withTimeout(parentCtx, at - clock.now) : withTimeoutCause(parentCtx, at - clock.now, why)
                  : step.kind === "deadline" ? withDeadline(parentCtx, new Date(at)) : withDeadlineCause(parentCtx, at, why);
                ctx = s.ctx;
                cancel = s.cancel;
                if (pd !== undefined && pd < at) {
                  node.label = () => `${pm.label()}.WithCancel`; // shortened: plain cancel semantics, the cause is dropped
                  if (inherited) [node.err, node.cause] = [inherited.err, inherited.cause];
                } else {
                  node.ownDeadline = at;
                  node.deadlineCause = why;
                  node.label = () => `${pm.label()}.WithDeadline(${new Date(at).toISOString()} [${at - clock.now}ms])`;
                  if (inherited) [node.err, node.cause] = [inherited.err, inherited.cause];
                  else if (at <= clock.now) [node.err, node.cause] = [DeadlineExceeded, why ?? DeadlineExceeded];
                  else node.timerAt = at;
                }
              }
              model.push(node);
              real.push({ ctx, cancel });
            } else if (step.op === "cancel") {
              const n = step.node % real.length;
              const m = model[n]!;
              if (!cancelable(m)) continue;
              const why = step.cause < 0 ? undefined : causes[step.cause];
              real[n]!.cancel(why);
              const kindCause = m.kind === "cancelCause" || m.kind === "root" ? why ?? Canceled : Canceled;
              cancelModel(n, Canceled, kindCause);
            } else if (step.op === "afterFunc") {
              const n = step.node % real.length;
              const id = regs.length;
              regs.push({ node: n, state: owner(n) !== undefined && errOf(n) ? "due" : "waiting", ran: 0 });
              ran.push(0);
              stops.push(afterFunc(real[n]!.ctx, () => ran[id]!++));
            } else if (step.op === "stop") {
              if (regs.length === 0) continue;
              const r = regs[step.reg % regs.length]!;
              const expected = r.state === "waiting";
              if (expected) r.state = "stopped";
              assert.equal(stops[step.reg % regs.length]!(), expected, "stop() result");
            } else if (step.op === "advance") {
              const target = clock.now + step.ms;
              for (;;) {
                let next: number | undefined;
                model.forEach((m, j) => {
                  if (m.timerAt !== undefined && !m.err && m.timerAt <= target && (next === undefined || m.timerAt < model[next]!.timerAt!)) next = j;
                });
                if (next === undefined) break;
                const m = model[next]!;
                cancelModel(next, DeadlineExceeded, m.deadlineCause ?? DeadlineExceeded);
              }
              clock.advance(step.ms);
            } else {
              await microtasks();
              for (const r of regs) if (r.state === "due") r.ran = 1;
            }
            // Compare everything.
            model.forEach((m, i) => {
              const ctx = real[i]!.ctx;
              const err = m.kind === "without" ? undefined : errOf(i);
              assert.equal(ctx.err(), err, `err of ${i}`);
              assert.equal(cause(ctx), m.kind === "without" ? undefined : causeOf(i), `cause of ${i}`);
              assert.equal(ctx.deadline()?.getTime(), deadlineOf(i), `deadline of ${i}`);
              assert.equal(ctx.value(key), m.value, `value of ${i}`);
              if (i % 3 === 0) assert.equal(ctx.signal.aborted, err !== undefined, `signal of ${i}`);
            });
            const last = model.length - 1;
            if (step.op === "child" || step.op === "advance") assert.equal(String(real[last]!.ctx), model[last]!.label());
            regs.forEach((r, id) => assert.equal(ran[id], r.ran, `afterFunc ${id} runs`));
          }
          await microtasks();
          for (const r of regs) if (r.state === "due") r.ran = 1;
          regs.forEach((r, id) => assert.equal(ran[id], r.ran, `afterFunc ${id} runs (end)`));
          rootCancel();
        });
      }),
      { numRuns: 1500 },
    );
  });
});
