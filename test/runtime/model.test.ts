import assert from "node:assert/strict";
import fc from "fast-check";
import { background, Canceled, cause, createKey, withCancelCause, withValue, type CancelCauseFunc, type Context } from "ctxkit";

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
