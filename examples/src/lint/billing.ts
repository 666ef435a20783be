/**
 * Billing: an invoice endpoint that calls the payments service and the ledger. Each bug below is one that
 * eslint-plugin-ctxkit reports; the comment above it says why it is a bug.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { background, withTimeout, type Context } from "ctxkit";
import { deadlineHeaders, requestContext } from "ctxkit/node";

export interface Invoice {
  id: string;
  customer: string;
  cents: number;
}

const PAYMENTS = "http://payments.internal:8080";

async function fetchInvoice(ctx: Context, id: string): Promise<Invoice> {
  const res = await fetch(`${PAYMENTS}/invoices/${encodeURIComponent(id)}`, { signal: ctx.signal, headers: deadlineHeaders(ctx) });
  if (!res.ok) throw new Error(`payments answered ${res.status}`);
  return (await res.json()) as Invoice;
}

async function recordInLedger(ctx: Context, invoice: Invoice): Promise<void> {
  await fetch(`${PAYMENTS}/ledger`, { method: "POST", body: JSON.stringify(invoice), signal: ctx.signal });
}

export async function chargeInvoice(ctx: Context, id: string): Promise<Invoice> {
  // ctxkit/no-dropped-context: `ctx` is in scope, but the ledger call gets `background()`; when the client goes
  // away or the deadline passes, this request keeps running against the ledger.
  const invoice = await fetchInvoice(ctx, id);
  await recordInLedger(background(), invoice);
  return invoice;
}

export async function refund(ctx: Context, invoice: Invoice, reason: string): Promise<void> {
  // ctxkit/no-dropped-context: `fetch` accepts a signal, and gets none while `ctx` is in scope.
  await fetch(`${PAYMENTS}/refunds`, { method: "POST", body: JSON.stringify({ id: invoice.id, reason }) });
}

export async function invoiceTotal(parent: Context, ids: string[]): Promise<number> {
  // ctxkit/require-cancel: the early return skips `cancel()`, so the timer and the child context live on until
  // `parent` ends (Go vet's lostcancel).
  const [ctx, cancel] = withTimeout(parent, 2_000);
  if (ids.length === 0) return 0;
  let total = 0;
  for (const id of ids) total += (await fetchInvoice(ctx, id)).cents;
  cancel();
  return total;
}

export async function lookupInvoice(parent: Context, id: string): Promise<Invoice> {
  // ctxkit/await-before-dispose: `using` cancels the scope as the `return` leaves the function, before the
  // returned promise settles, so the fetch sees its context cancelled at once. `return await` keeps it open.
  using scope = withTimeout(parent, 1_000);
  return fetchInvoice(scope.ctx, id);
}

export function handleInvoice(req: IncomingMessage, res: ServerResponse): void {
  // ctxkit/require-cancel: the cancel of the request scope is discarded; the request context is never
  // released when the handler finishes.
  const ctx = requestContext(req, res).ctx;
  chargeInvoice(ctx, req.url?.slice(1) ?? "").then(
    (invoice) => res.end(JSON.stringify(invoice)),
    (e: unknown) => res.writeHead(502).end(String(e)),
  );
}
