/**
 * The server threads its own contexts: every request's `CancellationToken` becomes a ctxkit `Context`, passed down
 * to the diagnostic loop, which checks it between steps and yields so a `$/cancelRequest` can be seen.
 */
import { afterFunc, background, race, withCancel, type CancelScopeOf, type CancelFunc, type Context } from "ctxkit";
import { LSPErrorCodes, ResponseError, type CancellationToken } from "vscode-languageserver";

/** A cancel scope that is also cancelled when `token` is. Release it with `cancel()` (or `using`). */
export function tokenScope(parent: Context, token: CancellationToken | undefined): CancelScopeOf<CancelFunc> {
  const scope = withCancel(parent);
  if (!token) return scope;
  if (token.isCancellationRequested) {
    scope.cancel();
    return scope;
  }
  const subscription = token.onCancellationRequested(() => scope.cancel());
  afterFunc(scope.ctx, () => subscription.dispose());
  return scope;
}

export function rootContext(): Context {
  return background();
}

/** The error an LSP request answers with when it was cancelled. */
export function cancelledError(): ResponseError<{ retriggerRequest: boolean }> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, "The request was cancelled.", { retriggerRequest: true });
}

/** Throws {@link cancelledError} when `ctx` is done. */
export function checkCancelled(ctx: Context): void {
  if (ctx.err() !== undefined) throw cancelledError();
}

/** Lets the event loop run (incoming `$/cancelRequest`, newer edits), then checks `ctx`. */
export async function checkpoint(ctx: Context): Promise<void> {
  try {
    await race(ctx, new Promise<void>((resolve) => setImmediate(resolve)));
  } catch {
    throw cancelledError();
  }
}
