/**
 * A small HTTP service: `/profile` fans out to three slow downstream calls under the request's deadline.
 * When the deadline passes, the cancellation reaches every branch at once.
 */
import * as http from "node:http";
import { sleep, withTimeout, type Context } from "ctxkit";
import { requestContext, withIncomingDeadline } from "ctxkit/node";

export interface BranchResult {
  branch: string;
  ok: boolean;
  detail: string;
}

async function downstream(ctx: Context, branch: string, ms: number): Promise<BranchResult> {
  try {
    await sleep(ctx, ms);
    return { branch, ok: true, detail: `answered after ${ms} ms` };
  } catch (e) {
    return { branch, ok: false, detail: `cancelled: ${(e as Error).message}` };
  }
}

export async function profile(parent: Context, delays: Record<string, number>, budgetMs: number): Promise<BranchResult[]> {
  using scope = withTimeout(parent, budgetMs);
  const [ctx] = scope;
  return await Promise.all(Object.entries(delays).map(([branch, ms]) => downstream(ctx, branch, ms)));
}

export function createService(delays: Record<string, number>, budgetMs: number): http.Server {
  return http.createServer(async (req, res) => {
    const request = requestContext(req, res);
    const incoming = withIncomingDeadline(request.ctx, req.headers);
    try {
      const results = await profile(incoming.ctx, delays, budgetMs);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(results));
    } finally {
      incoming.cancel();
      request.cancel();
    }
  });
}
