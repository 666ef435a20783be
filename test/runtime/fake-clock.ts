/**
 * A fake clock for deadline tests: replaces `setTimeout`, `clearTimeout` and `Date.now` on globalThis (the
 * runtime looks them up at call time) so that hours of deadlines run in microseconds. Like Node's own
 * setTimeout, it fires a delay above 2^31-1 ms after 1 ms, so a runtime that passes such a delay straight
 * through is caught firing early.
 */
interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
  unref(): FakeTimer;
  ref(): FakeTimer;
  hasRef(): boolean;
}

export class FakeClock {
  now = 1_700_000_000_000;
  readonly timers = new Map<number, FakeTimer>();
  /** Every delay handed to setTimeout, as the runtime asked for it. */
  readonly delays: number[] = [];
  private nextId = 1;
  private saved: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout; now: () => number } | undefined;

  install(): this {
    this.saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, now: Date.now };
    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = (fn: () => void, ms = 0): FakeTimer => {
      this.delays.push(ms);
      const delay = ms > 2 ** 31 - 1 || !(ms >= 1) ? 1 : ms;
      let refed = true;
      const t: FakeTimer = {
        id: this.nextId++,
        at: this.now + delay,
        fn,
        unref: () => ((refed = false), t),
        ref: () => ((refed = true), t),
        hasRef: () => refed,
      };
      this.timers.set(t.id, t);
      return t;
    };
    g.clearTimeout = (t: FakeTimer | undefined): void => {
      if (t) this.timers.delete(t.id);
    };
    Date.now = () => this.now;
    return this;
  }

  uninstall(): void {
    if (!this.saved) return;
    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = this.saved.setTimeout;
    g.clearTimeout = this.saved.clearTimeout;
    Date.now = this.saved.now;
    this.saved = undefined;
  }

  /** Moves time forward by `ms`, firing due timers in order (each at its own time). */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers.values()) if (t.at <= target && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.timers.delete(next.id);
      this.now = next.at;
      next.fn();
    }
    this.now = target;
  }

  get pending(): number {
    return this.timers.size;
  }
}

/** Runs `f` with a fake clock installed, and restores the real one when `f` (or the promise it returns) ends. */
export function withFakeClock<T>(f: (clock: FakeClock) => T): T {
  const clock = new FakeClock().install();
  let result: T;
  try {
    result = f(clock);
  } catch (e) {
    clock.uninstall();
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => clock.uninstall()) as T;
  clock.uninstall();
  return result;
}
