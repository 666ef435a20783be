/**
 * ctxkit: Go's `context` package for TypeScript.
 *
 * A Context carries cancellation, a deadline and request-scoped values down a call chain. Contexts form a
 * tree: every derived context is cancelled when its parent is, and cancelling a child never touches the
 * parent. The reference for every behaviour is Go's `src/context/context.go`.
 *
 * Design notes (why the code looks the way it does):
 * - `cancel()` is synchronous. When it returns, the context and every descendant report `err()`, their
 *   signals are aborted, and the context has left its parent's child set (a `Set`, so unlinking is O(1)).
 * - Nothing is allocated before it is asked for: the `done()` promise and the `AbortSignal` are created
 *   lazily, so a context that nobody waits on costs one small object.
 * - Propagation uses plain callbacks, never promise reactions on long-lived promises (they pile up).
 * - `err()` never reads the clock: a deadline is observed only when its timer fires.
 * - Deadline timers are `unref()`ed where the platform supports it: a pending deadline alone does not keep
 *   a Node process alive (as with `AbortSignal.timeout`).
 */

/** The error of a context cancelled by its cancel function (Go's `context.Canceled`). */
class CanceledError extends Error {
  constructor() {
    super("context canceled");
    this.name = "Canceled";
  }
}

/** The error of a context whose deadline passed (Go's `context.DeadlineExceeded`); it is a timeout. */
class DeadlineExceededError extends Error {
  constructor() {
    super("context deadline exceeded");
    this.name = "DeadlineExceeded";
  }
  timeout(): boolean {
    return true;
  }
  temporary(): boolean {
    return true;
  }
}

/** `err()` of a cancelled context. Compare with `===`. */
export const Canceled: Error = new CanceledError();
/** `err()` of a context whose deadline passed. Compare with `===`. */
export const DeadlineExceeded: Error & { timeout(): boolean; temporary(): boolean } = new DeadlineExceededError();

/** A typed key for `withValue`; every key is unique, even two created with the same name. */
export class Key<T> {
  declare private readonly _type: T;
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

/** Creates a new, unique key for request-scoped values of type `T`. */
export function createKey<T>(name: string): Key<T> {
  return new Key<T>(String(name));
}

/** A context: cancellation, a deadline and values, carried down a call chain. */
export interface Context {
  /** The deadline, inherited from the nearest ancestor that has one. */
  deadline(): Date | undefined;
  /** Resolves when the context is done; the same promise on every call; never settles if it cannot be. */
  done(): Promise<void>;
  /** `undefined` while live, then exactly `Canceled` or `DeadlineExceeded`. */
  err(): Error | undefined;
  /** The value bound to `key` by the innermost `withValue`, or `undefined`. */
  value<T>(key: Key<T>): T | undefined;
  /** Aborted when the context is done, with `reason === cause(ctx)`. Created on first access. */
  readonly signal: AbortSignal;
}

export type CancelFunc = () => void;
export type CancelCauseFunc = (cause?: unknown) => void;

const disposeSymbol: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for("nodejs.dispose") as typeof Symbol.dispose);

/**
 * What `withCancel` and friends return: destructure it (`const [ctx, cancel] = s`), read `s.ctx` and
 * `s.cancel`, or bind it with `using` so that it is cancelled at scope exit.
 */
export class CancelScope<F extends CancelFunc | CancelCauseFunc = CancelFunc> {
  constructor(
    readonly ctx: Context,
    readonly cancel: F,
  ) {}
  *[Symbol.iterator](): Iterator<Context | F> {
    yield this.ctx;
    yield this.cancel;
  }
  [disposeSymbol](): void {
    (this.cancel as CancelFunc)();
  }
}
export interface CancelScope<F> {
  [Symbol.iterator](): Iterator<Context | F>;
}
/** Tuple view so `const [ctx, cancel] = scope` is typed precisely. */
export type CancelScopeOf<F extends CancelFunc | CancelCauseFunc> = CancelScope<F> & readonly [Context, F];

let neverPromise: Promise<void> | undefined;
function never(): Promise<void> {
  return (neverPromise ??= new Promise<void>(() => {}));
}
let liveSignal: AbortSignal | undefined;

/** Background and TODO: never cancelled, no deadline, no values. */
class EmptyContext implements Context {
  constructor(private readonly label: string) {}
  deadline(): Date | undefined {
    return undefined;
  }
  done(): Promise<void> {
    return never();
  }
  err(): Error | undefined {
    return undefined;
  }
  value<T>(_key: Key<T>): T | undefined {
    return undefined;
  }
  get signal(): AbortSignal {
    return (liveSignal ??= new AbortController().signal);
  }
  toString(): string {
    return this.label;
  }
}

const backgroundCtx = new EmptyContext("context.Background");
const todoCtx = new EmptyContext("context.TODO");

/** The root of every context tree: never cancelled, no deadline, no values. */
export function background(): Context {
  return backgroundCtx;
}
/** Like `background()`, marking a place where a real context should be threaded through. */
export function todo(): Context {
  return todoCtx;
}

/** What sits in a cancelable context's child set: child contexts and afterFunc registrations. */
type Child = CancelContext | AfterFuncNode;

/** A context that can be cancelled (Go's cancelCtx / timerCtx). */
class CancelContext implements Context {
  private error: Error | undefined;
  private reason: unknown;
  private children: Set<Child> | undefined;
  private donePromise: Promise<void> | undefined;
  private resolveDone: (() => void) | undefined;
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Undoes the link to the parent (a Set delete, or removing a listener from a foreign parent). */
  private unlink: (() => void) | undefined;
  deadlineAt: number | undefined;
  label: string;

  constructor(
    readonly parent: Context,
    label: string,
  ) {
    this.label = label;
  }

  deadline(): Date | undefined {
    return this.deadlineAt !== undefined ? new Date(this.deadlineAt) : this.parent.deadline();
  }

  done(): Promise<void> {
    if (!this.donePromise) {
      if (this.error) this.donePromise = Promise.resolve();
      else this.donePromise = new Promise<void>((resolve) => (this.resolveDone = resolve));
    }
    return this.donePromise;
  }

  err(): Error | undefined {
    return this.error;
  }

  causeValue(): unknown {
    return this.reason;
  }

  value<T>(key: Key<T>): T | undefined {
    return this.parent.value(key);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.error) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  toString(): string {
    return `${String(this.parent)}${this.label}`;
  }

  /** Links this context under `parent` so that the parent's cancellation reaches it. */
  link(): void {
    const parent = this.parent;
    const owner = cancelOwner(parent);
    if (owner === null) return; // parent can never be cancelled
    if (owner) {
      if (owner.error) return this.cancel(owner.error, owner.reason);
      owner.addChild(this);
      this.unlink = () => owner.children?.delete(this);
      return;
    }
    // A user-written Context: follow it through its signal, with exactly one listener.
    const err = parent.err();
    if (err) return this.cancel(err, cause(parent) ?? err);
    const signal = parent.signal;
    const onAbort = (): void => this.cancel(parent.err() ?? Canceled, signal.reason ?? parent.err() ?? Canceled);
    signal.addEventListener("abort", onAbort, { once: true });
    this.unlink = () => signal.removeEventListener("abort", onAbort);
  }

  addChild(child: Child): void {
    (this.children ??= new Set()).add(child);
  }

  removeChild(child: Child): void {
    this.children?.delete(child);
  }

  /** Arms the deadline timer; delays beyond setTimeout's 2^31-1 ms limit are re-armed, never fired early. */
  arm(at: number): void {
    const wait = at - Date.now();
    if (wait <= 0) return this.cancel(DeadlineExceeded, this.deadlineCause ?? DeadlineExceeded);
    const step = Math.min(wait, MAX_TIMER);
    const t = setTimeout(() => {
      this.timer = undefined;
      if (step < wait) this.arm(at);
      else this.cancel(DeadlineExceeded, this.deadlineCause ?? DeadlineExceeded);
    }, step);
    (t as { unref?: () => void }).unref?.();
    this.timer = t;
  }
  deadlineCause: unknown;

  /**
   * Cancels this context and its subtree. The whole subtree is marked first, then listeners are notified,
   * so a listener that looks at (or cancels) another context during the cascade sees a consistent tree.
   */
  cancel(err: Error, cause: unknown): void {
    if (this.error) return;
    const marked: CancelContext[] = [];
    const afters: AfterFuncNode[] = [];
    mark(this, err, cause === undefined ? err : cause, marked, afters);
    if (this.unlink) {
      this.unlink();
      this.unlink = undefined;
    }
    for (const c of marked) c.notify();
    for (const a of afters) a.schedule();
  }

  private notify(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.unlink = undefined; // the root unlinked itself in cancel(); a descendant's parent dropped its whole set
    this.resolveDone?.();
    this.resolveDone = undefined;
    if (this.controller) {
      try {
        this.controller.abort(this.reason);
      } catch (e) {
        reportAsync(e);
      }
    }
  }

  static mark(node: CancelContext, err: Error, cause: unknown): boolean {
    if (node.error) return false;
    node.error = err;
    node.reason = cause;
    return true;
  }

  takeChildren(): Set<Child> | undefined {
    const c = this.children;
    this.children = undefined;
    return c;
  }
}

const MAX_TIMER = 2 ** 31 - 1;

function mark(root: CancelContext, err: Error, cause: unknown, marked: CancelContext[], afters: AfterFuncNode[]): void {
  const stack: CancelContext[] = [root];
  CancelContext.mark(root, err, cause);
  marked.push(root);
  while (stack.length) {
    const node = stack.pop()!;
    const children = node.takeChildren();
    if (!children) continue;
    for (const child of children) {
      if (child instanceof CancelContext) {
        if (CancelContext.mark(child, err, cause)) {
          marked.push(child);
          stack.push(child);
        }
      } else {
        afters.push(child);
      }
    }
  }
}

function reportAsync(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}

/** A value layer: shares its parent's cancellation, adds one binding. */
class ValueContext implements Context {
  constructor(
    readonly parent: Context,
    readonly key: Key<unknown>,
    readonly val: unknown,
  ) {}
  deadline(): Date | undefined {
    return this.parent.deadline();
  }
  done(): Promise<void> {
    return this.parent.done();
  }
  err(): Error | undefined {
    return this.parent.err();
  }
  get signal(): AbortSignal {
    return this.parent.signal;
  }
  value<T>(key: Key<T>): T | undefined {
    // Iterative walk through consecutive value layers: the DeepValue speed path.
    let c: Context = this;
    while (c instanceof ValueContext) {
      if (c.key === key) return c.val as T;
      c = c.parent;
    }
    return c.value(key);
  }
  toString(): string {
    return `${String(this.parent)}.WithValue(${describe(this.key)}, ${describe(this.val)})`;
  }
}

/** Keeps the parent's values, drops its deadline and cancellation. */
class WithoutCancelContext extends EmptyContext {
  constructor(readonly parent: Context) {
    super("");
  }
  override value<T>(key: Key<T>): T | undefined {
    return this.parent.value(key);
  }
  override toString(): string {
    return `${String(this.parent)}.WithoutCancel`;
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (v instanceof Key) return v.name;
  if (typeof v === "object" && typeof (v as { toString?: unknown }).toString === "function" && (v as object).toString !== Object.prototype.toString) {
    return String(v);
  }
  if (typeof v === "object") return (v as object).constructor?.name ?? "Object";
  return typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" ? String(v) : typeof v;
}

/**
 * The ctxkit context whose cancellation `parent` shares: itself, or through value layers its nearest
 * cancelable ancestor. `null` when nothing can cancel it; `undefined` for a user-written Context.
 */
function cancelOwner(parent: Context): CancelContext | null | undefined {
  let c: Context = parent;
  for (;;) {
    if (c instanceof CancelContext) return c;
    if (c instanceof ValueContext) c = c.parent;
    else if (c instanceof EmptyContext) return null;
    else return undefined;
  }
}

function checkParent(parent: unknown, fn: string): asserts parent is Context {
  if (parent === null || parent === undefined) {
    throw new TypeError(`ctxkit.${fn}: cannot create context from ${String(parent)} parent`);
  }
  const p = parent as Partial<Context>;
  if (typeof p.done !== "function" || typeof p.err !== "function" || typeof p.value !== "function" || typeof p.deadline !== "function") {
    throw new TypeError(`ctxkit.${fn}: parent is not a Context (it needs deadline(), done(), err(), value() and signal)`);
  }
}

function newCancel(parent: Context, fn: string): CancelContext {
  checkParent(parent, fn);
  return new CancelContext(parent, ".WithCancel");
}

/** A context that is cancelled when `cancel()` is called or when `parent` is. */
export function withCancel(parent: Context): CancelScopeOf<CancelFunc> {
  const c = newCancel(parent, "withCancel");
  c.link();
  return scope(c, () => c.cancel(Canceled, Canceled));
}

/** Like `withCancel`, but `cancel(cause)` records a cause that `cause(ctx)` returns. */
export function withCancelCause(parent: Context): CancelScopeOf<CancelCauseFunc> {
  const c = newCancel(parent, "withCancelCause");
  c.link();
  return scope(c, (why?: unknown) => c.cancel(Canceled, why === undefined || why === null ? Canceled : why));
}

function scope<F extends CancelFunc | CancelCauseFunc>(c: Context, cancel: F): CancelScopeOf<F> {
  return new CancelScope(c, cancel) as CancelScopeOf<F>;
}

function toTime(d: Date | number, fn: string): number {
  const t = d instanceof Date ? d.getTime() : d;
  if (typeof t !== "number" || Number.isNaN(t)) throw new RangeError(`ctxkit.${fn}: invalid deadline ${String(d)}`);
  return t;
}

function deadlineScope(parent: Context, at: number, why: unknown, fn: string): CancelScopeOf<CancelFunc> {
  checkParent(parent, fn);
  const parentDeadline = parent.deadline();
  if (parentDeadline !== undefined && parentDeadline.getTime() < at) {
    // The parent ends first: a timer would never matter (Go returns WithCancel here).
    return withCancel(parent);
  }
  const c = new CancelContext(parent, "");
  c.deadlineAt = at;
  c.deadlineCause = why;
  c.label = `.WithDeadline(${new Date(at).toISOString()} [${at - Date.now()}ms])`;
  c.link();
  if (!c.err()) c.arm(at);
  return scope(c, () => c.cancel(Canceled, Canceled));
}

/** A context that is done at `d` (a Date or epoch milliseconds), when cancelled, or when `parent` is. */
export function withDeadline(parent: Context, d: Date | number): CancelScopeOf<CancelFunc> {
  return deadlineScope(parent, toTime(d, "withDeadline"), undefined, "withDeadline");
}
/** `withDeadline`, with `cause` as the cause when the deadline passes. */
export function withDeadlineCause(parent: Context, d: Date | number, why: unknown): CancelScopeOf<CancelFunc> {
  return deadlineScope(parent, toTime(d, "withDeadlineCause"), why, "withDeadlineCause");
}

function timeoutAt(ms: number, fn: string): number {
  if (typeof ms !== "number" || Number.isNaN(ms)) throw new RangeError(`ctxkit.${fn}: timeout must be a number of milliseconds, got ${String(ms)}`);
  return Date.now() + ms;
}
/** `withDeadline(parent, now + ms)`; a zero or negative `ms` is already expired. */
export function withTimeout(parent: Context, ms: number): CancelScopeOf<CancelFunc> {
  return deadlineScope(parent, timeoutAt(ms, "withTimeout"), undefined, "withTimeout");
}
/** `withTimeout`, with `cause` as the cause when the time runs out. */
export function withTimeoutCause(parent: Context, ms: number, why: unknown): CancelScopeOf<CancelFunc> {
  return deadlineScope(parent, timeoutAt(ms, "withTimeoutCause"), why, "withTimeoutCause");
}

/** A context that carries `value` under `key`; it shares its parent's cancellation and deadline. */
export function withValue<T>(parent: Context, key: Key<T>, value: T): Context {
  checkParent(parent, "withValue");
  if (key === null || key === undefined) throw new TypeError(`ctxkit.withValue: key is ${String(key)}`);
  return new ValueContext(parent, key as Key<unknown>, value);
}

/** Keeps `parent`'s values; drops its deadline and cancellation. */
export function withoutCancel(parent: Context): Context {
  checkParent(parent, "withoutCancel");
  return new WithoutCancelContext(parent);
}

/** The cause of `ctx`'s cancellation: `undefined` while live, the first cause set, else `err()`. */
export function cause(ctx: Context): unknown {
  let c: Context = ctx;
  while (c instanceof ValueContext) c = c.parent;
  if (c instanceof CancelContext) return c.err() ? c.causeValue() : undefined;
  if (c instanceof EmptyContext) return undefined;
  const err = c.err();
  if (!err) return undefined;
  const reason = c.signal.reason;
  return reason === undefined ? err : reason;
}

/** One registration of `afterFunc`: runs `f` once, after the context is done, never inline. */
class AfterFuncNode {
  state: "waiting" | "scheduled" | "stopped" = "waiting";
  unlink: (() => void) | undefined;
  constructor(private readonly f: () => void) {}
  schedule(): void {
    if (this.state !== "waiting") return;
    this.state = "scheduled";
    this.unlink = undefined;
    queueMicrotask(() => {
      this.f();
    });
  }
  stop(): boolean {
    if (this.state !== "waiting") return false;
    this.state = "stopped";
    this.unlink?.();
    this.unlink = undefined;
    return true;
  }
}

/**
 * Runs `f` once, asynchronously, after `ctx` is done. The returned `stop` returns `true` if it prevented
 * `f` from running; `f` and a successful `stop` are mutually exclusive.
 */
export function afterFunc(ctx: Context, f: () => void): () => boolean {
  checkParent(ctx, "afterFunc");
  if (typeof f !== "function") throw new TypeError("ctxkit.afterFunc: f must be a function");
  const node = new AfterFuncNode(f);
  const owner = cancelOwner(ctx);
  if (owner === null) return () => node.stop();
  if (owner) {
    if (owner.err()) node.schedule();
    else {
      owner.addChild(node);
      node.unlink = () => owner.removeChild(node);
    }
  } else if (ctx.err()) {
    node.schedule();
  } else {
    const signal = ctx.signal;
    const onAbort = (): void => node.schedule();
    signal.addEventListener("abort", onAbort, { once: true });
    node.unlink = () => signal.removeEventListener("abort", onAbort);
  }
  return () => node.stop();
}

/** Settles like `p`, or rejects with `cause(ctx)` as soon as `ctx` is done; leaves no listener behind. */
export function race<T>(ctx: Context, p: PromiseLike<T>): Promise<T> {
  checkParent(ctx, "race");
  if (ctx.err()) return Promise.reject(cause(ctx));
  return new Promise<T>((resolve, reject) => {
    const stop = afterFunc(ctx, () => reject(cause(ctx)));
    Promise.resolve(p).then(
      (v) => {
        stop();
        resolve(v);
      },
      (e: unknown) => {
        stop();
        reject(e);
      },
    );
  });
}

/** Resolves after `ms`, or rejects with `cause(ctx)` when `ctx` is done first; clears its timer. */
export function sleep(ctx: Context, ms: number): Promise<void> {
  checkParent(ctx, "sleep");
  if (typeof ms !== "number" || Number.isNaN(ms)) return Promise.reject(new RangeError(`ctxkit.sleep: ms must be a number, got ${String(ms)}`));
  if (ctx.err()) return Promise.reject(cause(ctx));
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, Math.max(0, Math.min(ms, MAX_TIMER)));
    const stop = afterFunc(ctx, () => {
      clearTimeout(timer);
      reject(cause(ctx));
    });
  });
}

/** A cancel scope whose context is also cancelled when `signal` aborts (cause: `signal.reason`). */
export function fromSignal(parent: Context, signal: AbortSignal): CancelScopeOf<CancelFunc> {
  const s = withCancelCause(parent);
  if (!signal || typeof signal.addEventListener !== "function") throw new TypeError("ctxkit.fromSignal: signal is not an AbortSignal");
  const cancel = s.cancel;
  if (signal.aborted) {
    cancel(signal.reason);
  } else if (!s.ctx.err()) {
    const onAbort = (): void => cancel(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    afterFunc(s.ctx, () => signal.removeEventListener("abort", onAbort));
  }
  return scope(s.ctx, () => cancel());
}
