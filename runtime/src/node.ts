/**
 * ctxkit/node: contexts for Node's `http` server and deadline propagation between services.
 * The only module of the package that is tied to Node.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { background, CancelScope, withCancel, withCancelCause, withDeadline, type CancelFunc, type CancelScopeOf, type Context } from "./index.js";

/** Why a request context was cancelled because the client went away. */
export class ClientGoneError extends Error {
  constructor() {
    super("client closed the connection before the response finished");
    this.name = "ClientGone";
  }
}

/**
 * A cancel scope for one request: cancelled when the client goes away before the response finishes (also
 * when it had already gone), and released (unlinked, listeners removed) when the response finishes.
 */
export function requestContext(req: IncomingMessage, res: ServerResponse, parent: Context = background()): CancelScopeOf<CancelFunc> {
  const s = withCancelCause(parent);
  const cancel = s.cancel;
  const onClose = (): void => {
    cleanup();
    if (!res.writableFinished) cancel(new ClientGoneError());
  };
  const onFinish = (): void => cleanup();
  const cleanup = (): void => {
    res.off("close", onClose);
    res.off("finish", onFinish);
  };
  if (!res.writableFinished) {
    if (req.destroyed || res.destroyed || req.socket?.destroyed) {
      cancel(new ClientGoneError());
    } else {
      res.on("close", onClose);
      res.on("finish", onFinish);
    }
  }
  return new CancelScope<CancelFunc>(s.ctx, () => {
    cleanup();
    cancel();
  }) as CancelScopeOf<CancelFunc>;
}

const UNITS: [string, number][] = [
  ["n", 1e-6],
  ["u", 1e-3],
  ["m", 1],
  ["S", 1e3],
  ["M", 60e3],
  ["H", 3600e3],
];

/** The headers for an outgoing request: `{ "grpc-timeout": "<n><unit>" }` for the remaining time, or `{}`. */
export function deadlineHeaders(ctx: Context): Record<string, string> {
  const d = ctx.deadline();
  if (!d) return {};
  const remaining = Math.max(0, d.getTime() - Date.now());
  for (const [unit, ms] of UNITS) {
    const n = Math.ceil(remaining / ms);
    if (n < 1e8) return { "grpc-timeout": `${n}${unit}` };
  }
  return { "grpc-timeout": "99999999H" };
}

const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;

/** Parses a `grpc-timeout` value to milliseconds, or `undefined` when it is malformed. */
export function parseGrpcTimeout(value: string): number | undefined {
  const m = GRPC_TIMEOUT.exec(value.trim());
  if (!m) return undefined;
  const unit = UNITS.find(([u]) => u === m[2])!;
  return Number(m[1]) * unit[1];
}

type HeaderSource = Record<string, string | string[] | undefined> | { get(name: string): string | null };

/**
 * A cancel scope whose deadline is the earlier of the parent's and the incoming `grpc-timeout` header's.
 * A malformed header is ignored (the request runs under the parent's deadline): a peer's bad header must not
 * fail the request, and `onInvalid` lets the caller log it.
 */
export function withIncomingDeadline(parent: Context, headers: HeaderSource, onInvalid?: (value: string) => void): CancelScopeOf<CancelFunc> {
  const raw = typeof (headers as { get?: unknown }).get === "function" ? (headers as { get(n: string): string | null }).get("grpc-timeout") : (headers as Record<string, string | string[] | undefined>)["grpc-timeout"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const ms = value ? parseGrpcTimeout(value) : undefined;
  if (value && ms === undefined) onInvalid?.(value);
  if (ms === undefined) return withCancel(parent);
  return withDeadline(parent, Date.now() + ms);
}
