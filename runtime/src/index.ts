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

/**
 * A user-written Context may offer Go's `AfterFunc` hook: `afterFunc(f)` runs `f` once the context is done
 * and returns a stop function. Children of such a parent register through it instead of its signal.
 */
interface AfterFuncer {
  afterFunc(f: () => void): () => boolean;
}
function isAfterFuncer(c: Context): c is Context & AfterFuncer {
  return typeof (c as Partial<AfterFuncer>).afterFunc === "function";
}

/**
 * The key under which a ctxkit cancelable context answers `value()` with itself. User-written contexts that
 * delegate `value()` to a ctxkit context thereby lead `cause()` and linking to it, as Go's `cancelCtxKey`
 * does. Nobody outside this module can hold the key, so no user binding can shadow it.
 */
const ownerKey = new Key<CancelContext>("ctxkit.owner");

/** A context that can be cancelled (Go's cancelCtx / timerCtx). */
class CancelContext implements Context {
  private error: Error | undefined = undefined;
  private reason: unknown = undefined;
  /** Child contexts and afterFuncs; created with the first child and dropped when this context is done. */
  children: Set<Child> | undefined = undefined;
  private donePromise: Promise<void> | undefined = undefined;
  private resolveDone: (() => void) | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  /** The pending deadline timer, if any; cleared on every path to done. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The ctxkit context whose child set holds this one (the usual link). */
  private owner: CancelContext | undefined = undefined;
  /** Undoes a link to a user-written parent, or to a foreign signal (`fromSignal`). */
  private stopWatch: (() => void) | undefined = undefined;
  private release: (() => void) | undefined = undefined;
  /** Epoch ms of this context's own deadline; `undefined` for plain cancel contexts. */
  deadlineAt: number | undefined = undefined;
  /** The cause recorded when the deadline passes (the Cause variants). */
  deadlineCause: unknown = undefined;

  constructor(readonly parent: Context) {}

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
    if (key === (ownerKey as Key<unknown>)) return this as unknown as T;
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
    if (this.deadlineAt === undefined) return `${String(this.parent)}.WithCancel`;
    // Like Go, the remaining time is computed when printed (it goes negative after expiry).
    return `${String(this.parent)}.WithDeadline(${new Date(this.deadlineAt).toISOString()} [${this.deadlineAt - Date.now()}ms])`;
  }

  /** Links this context under `parent` (the one it was created with) so that the parent's cancellation reaches it. */
  link(parent: Context): void {
    let owner = cancelOwner(parent);
    if (owner === null) return; // the parent can never be cancelled
    if (owner === undefined) {
      owner = followCustom(this, parent);
      if (owner === undefined) return;
    }
    if (owner.error) return this.cancel(owner.error, owner.reason);
    (owner.children ??= new Set()).add(this);
    this.owner = owner;
  }

  /** Follows a user-written parent through its afterFunc hook or its signal; undone when this one is done. */
  watch(stop: () => void): void {
    this.stopWatch = stop;
  }

  /** Also cancels this context when the foreign `signal` aborts, with `signal.reason` as the cause. */
  follow(signal: AbortSignal): void {
    if (this.error) return;
    if (signal.aborted) return this.cancel(Canceled, signal.reason ?? Canceled);
    this.release = watchSignal(signal, () => this.cancel(Canceled, signal.reason ?? Canceled));
  }

  /**
   * Arms the deadline timer. setTimeout cannot wait longer than 2^31-1 ms (it would fire after 1 ms), so a
   * longer wait is taken in steps and re-armed: the deadline never fires early.
   */
  arm(at: number): void {
    const wait = at - Date.now();
    if (wait <= 0) return this.cancel(DeadlineExceeded, this.deadlineCause ?? DeadlineExceeded);
    const t = setTimeout(() => {
      this.timer = undefined;
      this.arm(at);
    }, Math.min(wait, MAX_TIMER));
    (t as { unref?: () => void }).unref?.();
    this.timer = t;
  }

  /**
   * Cancels this context and its subtree, synchronously. Each context is settled in Go's order: err and
   * cause are set together, its timer is cleared, its done() resolved and its signal aborted (so a listener
   * sees err() and cause() already set, and no context reports err() while its signal is still live), then
   * its children follow. A listener that cancels or creates other contexts during the cascade is safe: a
   * context cancelled meanwhile keeps its own (first) cause, and a context created under a settled one is
   * born cancelled. An exception thrown by a listener is reported asynchronously and stops nothing.
   */
  cancel(err: Error, why: unknown): void {
    if (this.error) return;
    const reason = why === undefined ? err : why;
    let node: CancelContext = this;
    let stack: CancelContext[] | undefined;
    for (;;) {
      const children = node.settle(err, reason);
      if (children) {
        for (const child of children) {
          if (child instanceof CancelContext) {
            if (!child.error) (stack ??= []).push(child);
          } else {
            child.schedule();
          }
        }
      }
      let next: CancelContext | undefined;
      while (stack && (next = stack.pop()) !== undefined && next.error);
      if (next === undefined || next.error) return;
      node = next;
    }
  }

  /** Marks this context done and notifies its own observers; returns the children it held. */
  private settle(err: Error, reason: unknown): Set<Child> | undefined {
    this.error = err;
    this.reason = reason;
    const children = this.children;
    this.children = undefined;
    if (this.owner) {
      this.owner.children?.delete(this); // a no-op when the owner is cancelling us: it dropped its set
      this.owner = undefined;
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.stopWatch) {
      const stop = this.stopWatch;
      this.stopWatch = undefined;
      guard(stop);
    }
    if (this.release) {
      const stop = this.release;
      this.release = undefined;
      stop();
    }
    if (this.resolveDone) {
      this.resolveDone();
      this.resolveDone = undefined;
    }
    if (this.controller) {
      const controller = this.controller;
      guard(() => controller.abort(reason));
    }
    return children;
  }
}

/**
 * Links `child` under a user-written `parent`. Like Go, when the parent delegates to a ctxkit context and
 * shares its cancellation (the same done() and signal), that context is returned to link into directly.
 * Otherwise the child follows the parent with exactly one registration (its afterFunc hook, else one watcher
 * on its signal), or is cancelled at once if the parent is already done.
 */
function followCustom(child: CancelContext, parent: Context): CancelContext | undefined {
  const err = parent.err();
  if (err) {
    child.cancel(err, cause(parent));
    return undefined;
  }
  const inner = parent.value(ownerKey);
  if (inner instanceof CancelContext && parent.done() === inner.done() && parent.signal === inner.signal) return inner;
  const follow = (): void => child.cancel(parent.err() ?? Canceled, cause(parent));
  if (isAfterFuncer(parent)) {
    const stop = parent.afterFunc(follow);
    child.watch(() => void stop());
  } else {
    const signal = parent.signal;
    if (signal.aborted) follow();
    else child.watch(watchSignal(signal, follow));
  }
  return undefined;
}

const MAX_TIMER = 2 ** 31 - 1;

/** Runs user-reachable code so that an exception cannot stop a cascade; it is rethrown asynchronously. */
function guard(f: () => void): void {
  try {
    f();
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

/**
 * Foreign signals are watched with a single `abort` listener per signal, however many contexts follow it:
 * no MaxListeners warnings, O(1) removal, and the listener is removed as soon as nobody follows the signal.
 */
interface SignalWatch {
  readonly callbacks: Set<() => void>;
  readonly onAbort: () => void;
}
const watches = new WeakMap<AbortSignal, SignalWatch>();

function watchSignal(signal: AbortSignal, f: () => void): () => void {
  let w = watches.get(signal);
  if (!w) {
    const callbacks = new Set<() => void>();
    const onAbort = (): void => {
      watches.delete(signal);
      signal.removeEventListener("abort", onAbort);
      for (const cb of callbacks) guard(cb);
      callbacks.clear();
    };
    w = { callbacks, onAbort };
    watches.set(signal, w);
    signal.addEventListener("abort", onAbort);
  }
  const watch = w;
  const cb = (): void => f();
  watch.callbacks.add(cb);
  return () => {
    if (watch.callbacks.delete(cb) && watch.callbacks.size === 0 && watches.get(signal) === watch) {
      watches.delete(signal);
      signal.removeEventListener("abort", watch.onAbort);
    }
  };
}

/**
 * A value layer: shares its parent's cancellation, adds one binding. Each layer knows the layer below it
 * (`below`, when that is a value layer too) and the first context under the run of value layers (`base`), so
 * a lookup walks one monomorphic chain of fields and err()/done()/signal/deadline() are O(1) however deep
 * the values are stacked.
 */
class ValueContext implements Context {
  readonly below: ValueContext | undefined;
  readonly base: Context;
  constructor(
    readonly parent: Context,
    readonly key: Key<unknown>,
    readonly val: unknown,
  ) {
    if (parent instanceof ValueContext) {
      this.below = parent;
      this.base = parent.base;
    } else {
      this.below = undefined;
      this.base = parent;
    }
  }
  deadline(): Date | undefined {
    return this.base.deadline();
  }
  done(): Promise<void> {
    return this.base.done();
  }
  err(): Error | undefined {
    return this.base.err();
  }
  get signal(): AbortSignal {
    return this.base.signal;
  }
  value<T>(key: Key<T>): T | undefined {
    // The DeepValue speed path: innermost binding first, then whatever is under the value layers.
    let c: ValueContext | undefined = this;
    do {
      if (c.key === key) return c.val as T;
      c = c.below;
    } while (c !== undefined);
    return this.base.value(key);
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
    // Like Go's withoutCancelCtx, hide the cancelable ancestor: cause() and linking stop here.
    if (key === (ownerKey as Key<unknown>)) return undefined;
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
  const c = parent instanceof ValueContext ? parent.base : parent;
  if (c instanceof CancelContext) return c;
  if (c instanceof EmptyContext) return null;
  return undefined;
}

function checkParent(parent: unknown, fn: string): asserts parent is Context {
  if (parent instanceof CancelContext || parent instanceof ValueContext || parent instanceof EmptyContext) return;
  if (parent === null || parent === undefined) {
    throw new TypeError(`ctxkit.${fn}: cannot create context from ${String(parent)} parent`);
  }
  const p = parent as Partial<Context> & Partial<AfterFuncer>;
  if (
    typeof p.done !== "function" ||
    typeof p.err !== "function" ||
    typeof p.value !== "function" ||
    typeof p.deadline !== "function" ||
    !(typeof p.afterFunc === "function" || (typeof p === "object" && "signal" in p))
  ) {
    throw new TypeError(`ctxkit.${fn}: parent is not a Context (it needs deadline(), done(), err(), value() and signal)`);
  }
}

/** A context that is cancelled when `cancel()` is called or when `parent` is. */
export function withCancel(parent: Context): CancelScopeOf<CancelFunc> {
  checkParent(parent, "withCancel");
  const c = new CancelContext(parent);
  c.link(parent);
  return scope(c, () => c.cancel(Canceled, Canceled));
}

/** Like `withCancel`, but `cancel(cause)` records a cause that `cause(ctx)` returns. */
export function withCancelCause(parent: Context): CancelScopeOf<CancelCauseFunc> {
  checkParent(parent, "withCancelCause");
  const c = new CancelContext(parent);
  c.link(parent);
  return scope(c, (why?: unknown) => c.cancel(Canceled, why === undefined || why === null ? Canceled : why));
}

function scope<F extends CancelFunc | CancelCauseFunc>(c: Context, cancel: F): CancelScopeOf<F> {
  return new CancelScope(c, cancel) as CancelScopeOf<F>;
}

/** Latest time a `Date` can hold; a deadline beyond it (or `Infinity`) means no deadline at all. */
const MAX_DATE = 8.64e15;

function toTime(d: Date | number, fn: string): number {
  const t = d instanceof Date ? d.getTime() : d;
  if (typeof t !== "number" || Number.isNaN(t)) throw new RangeError(`ctxkit.${fn}: invalid deadline ${String(d)}`);
  return t;
}

function deadlineScope(parent: Context, at: number, why: unknown): CancelScopeOf<CancelFunc> {
  if (at > MAX_DATE) return withCancel(parent); // never: no timer, no deadline
  const parentDeadline = parent.deadline();
  if (parentDeadline !== undefined && parentDeadline.getTime() < at) {
    // The parent ends first: a timer would never matter (Go returns WithCancel here, dropping the cause).
    return withCancel(parent);
  }
  const c = new CancelContext(parent);
  c.deadlineAt = Math.max(at, -MAX_DATE);
  c.deadlineCause = why;
  c.link(parent);
  if (!c.err()) c.arm(at);
  return scope(c, () => c.cancel(Canceled, Canceled));
}

/** A context that is done at `d` (a Date or epoch milliseconds), when cancelled, or when `parent` is. */
export function withDeadline(parent: Context, d: Date | number): CancelScopeOf<CancelFunc> {
  checkParent(parent, "withDeadline");
  return deadlineScope(parent, toTime(d, "withDeadline"), undefined);
}
/** `withDeadline`, with `cause` as the cause when the deadline passes. */
export function withDeadlineCause(parent: Context, d: Date | number, why: unknown): CancelScopeOf<CancelFunc> {
  checkParent(parent, "withDeadlineCause");
  return deadlineScope(parent, toTime(d, "withDeadlineCause"), why);
}

function timeoutAt(ms: number, fn: string): number {
  if (typeof ms !== "number" || Number.isNaN(ms)) throw new RangeError(`ctxkit.${fn}: timeout must be a number of milliseconds, got ${String(ms)}`);
  return Date.now() + ms;
}
/** `withDeadline(parent, now + ms)`; a zero or negative `ms` is already expired. */
export function withTimeout(parent: Context, ms: number): CancelScopeOf<CancelFunc> {
  checkParent(parent, "withTimeout");
  return deadlineScope(parent, timeoutAt(ms, "withTimeout"), undefined);
}
/** `withTimeout`, with `cause` as the cause when the time runs out. */
export function withTimeoutCause(parent: Context, ms: number, why: unknown): CancelScopeOf<CancelFunc> {
  checkParent(parent, "withTimeoutCause");
  return deadlineScope(parent, timeoutAt(ms, "withTimeoutCause"), why);
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

/**
 * The cause of `ctx`'s cancellation: `undefined` while live, the first cause set, else `err()`. For a
 * user-written context, as in Go: the cause of the ctxkit context it delegates `value()` to, if that one is
 * done, else its own `err()`.
 */
export function cause(ctx: Context): unknown {
  const c = ctx instanceof ValueContext ? ctx.base : ctx;
  if (c instanceof CancelContext) return c.err() ? c.causeValue() : undefined;
  if (c instanceof EmptyContext) return undefined;
  const err = c.err();
  if (!err) return undefined;
  const inner = c.value(ownerKey);
  if (inner instanceof CancelContext && inner.err()) return inner.causeValue();
  return err;
}

/** One registration of `afterFunc`: runs `f` once, after the context is done, never inline. */
class AfterFuncNode {
  private state: 0 | 1 | 2 = 0; // waiting, scheduled, stopped
  owner: CancelContext | undefined = undefined;
  stopWatch: (() => void) | undefined = undefined;
  constructor(private readonly f: () => void) {}
  schedule(): void {
    if (this.state !== 0) return;
    this.state = 1;
    this.owner = undefined;
    this.stopWatch = undefined;
    queueMicrotask(this.f);
  }
  stop(): boolean {
    if (this.state !== 0) return false;
    this.state = 2;
    this.owner?.children?.delete(this);
    this.owner = undefined;
    const stop = this.stopWatch;
    this.stopWatch = undefined;
    stop?.();
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
  let owner = cancelOwner(ctx);
  if (owner === undefined) {
    if (ctx.err()) {
      node.schedule();
      return () => node.stop();
    }
    const inner = ctx.value(ownerKey);
    if (inner instanceof CancelContext && ctx.done() === inner.done() && ctx.signal === inner.signal) {
      owner = inner;
    } else if (isAfterFuncer(ctx)) {
      const stop = ctx.afterFunc(() => node.schedule());
      node.stopWatch = () => void stop();
      return () => node.stop();
    } else {
      const signal = ctx.signal;
      if (signal.aborted) node.schedule();
      else node.stopWatch = watchSignal(signal, () => node.schedule());
      return () => node.stop();
    }
  }
  if (owner !== null) {
    if (owner.err()) node.schedule();
    else {
      (owner.children ??= new Set()).add(node);
      node.owner = owner;
    }
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

/**
 * Resolves after `ms`, or rejects with `cause(ctx)` when `ctx` is done first; clears its timer. Unlike a
 * deadline, a pending sleep keeps a Node process alive (it is something the program waits for). Waits beyond
 * setTimeout's 2^31-1 ms limit are taken in steps, never cut short.
 */
export function sleep(ctx: Context, ms: number): Promise<void> {
  checkParent(ctx, "sleep");
  if (typeof ms !== "number" || Number.isNaN(ms)) return Promise.reject(new RangeError(`ctxkit.sleep: ms must be a number, got ${String(ms)}`));
  if (ctx.err()) return Promise.reject(cause(ctx));
  return new Promise<void>((resolve, reject) => {
    const at = Date.now() + ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = (): void => {
      const left = at - Date.now();
      if (left > MAX_TIMER) timer = setTimeout(wait, MAX_TIMER);
      else
        timer = setTimeout(() => {
          timer = undefined;
          stop();
          resolve();
        }, Math.max(0, left));
    };
    wait();
    const stop = afterFunc(ctx, () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      reject(cause(ctx));
    });
  });
}

/** A cancel scope whose context is also cancelled when `signal` aborts (cause: `signal.reason`). */
export function fromSignal(parent: Context, signal: AbortSignal): CancelScopeOf<CancelFunc> {
  checkParent(parent, "fromSignal");
  if (!signal || typeof signal.addEventListener !== "function" || typeof signal.aborted !== "boolean") {
    throw new TypeError("ctxkit.fromSignal: signal is not an AbortSignal");
  }
  const c = new CancelContext(parent);
  c.link(parent);
  c.follow(signal);
  return scope(c, () => c.cancel(Canceled, Canceled));
}
