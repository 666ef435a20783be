/**
 * The heavy half of leak.test.ts, run in its own `node --expose-gc` process so that the mocha process's heap
 * and warnings stay out of it. Prints one JSON line with what it measured.
 */
import { afterFunc, background, fromSignal, race, withCancel, withCancelCause, type Context } from "ctxkit";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

function heap(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}
const children = (ctx: Context): number => (ctx as unknown as { children?: Set<unknown> }).children?.size ?? 0;

const warnings: string[] = [];
process.on("warning", (w) => warnings.push(`${w.name}: ${w.message}`));

async function main(): Promise<void> {
  const N = 1_000_000;
  const [parent, cancelParent] = withCancel(background());
  const base = heap();

  for (let i = 0; i < N; i++) withCancel(parent).cancel();
  const afterCancelled = heap() - base;
  const childrenAfterCancelled = children(parent);

  for (let i = 0; i < N; i++) {
    using s = withCancel(parent);
    if (s.ctx.err()) throw new Error("live child reported done");
  }
  const afterUsing = heap() - base;
  const childrenAfterUsing = children(parent);

  // Each child asks for its signal: the signals are its own, nothing piles up on the parent.
  const M = 100_000;
  const many: (() => void)[] = [];
  for (let i = 0; i < M; i++) {
    const s = withCancel(parent);
    void s.ctx.signal;
    many.push(s.cancel);
  }
  const childrenWhileLive = children(parent);
  // Far more than the 10 listeners Node warns at: contexts following one foreign signal, children of a
  // user-written parent, pending races and afterFuncs on one context.
  const K = 20_000;
  const ac = new AbortController();
  for (let i = 0; i < K; i++) void fromSignal(parent, ac.signal).ctx.signal;
  const foreign = new AbortController();
  const custom: Context = {
    deadline: () => undefined,
    done: () => new Promise(() => {}),
    err: () => (foreign.signal.aborted ? new Error("custom done") : undefined),
    value: () => undefined,
    signal: foreign.signal,
  };
  const ofCustom: Context[] = [];
  for (let i = 0; i < K; i++) {
    const [c] = withCancelCause(custom);
    void c.signal;
    ofCustom.push(c);
  }
  const racing: Promise<unknown>[] = [];
  for (let i = 0; i < K; i++) {
    racing.push(race(parent, new Promise(() => {})).catch(() => undefined));
    afterFunc(parent, () => {});
  }
  ac.abort();
  foreign.abort();
  const ofCustomDone = ofCustom.every((c) => c.err() !== undefined && c.signal.aborted);
  for (const cancel of many) cancel();
  cancelParent();
  await Promise.all(racing);
  await new Promise((r) => setImmediate(r));

  console.log(
    JSON.stringify({ afterCancelled, afterUsing, childrenAfterCancelled, childrenAfterUsing, childrenWhileLive, ofCustomDone, warnings }),
  );
}

void main();
