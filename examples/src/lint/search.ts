/**
 * Search: fans a query out to shards and streams results back. The awaits below are the ones no context can
 * cancel, and the loop re-derives its context on every turn.
 */
import { race, sleep, withValue, createKey, type Context } from "ctxkit";

export interface Hit {
  shard: string;
  score: number;
  doc: string;
}

const shardKey = createKey<string>("shard");
const cache = new Map<string, Promise<Hit[]>>();

async function queryShard(ctx: Context, shard: string, q: string): Promise<Hit[]> {
  const res = await fetch(`http://${shard}/search?q=${encodeURIComponent(q)}`, { signal: ctx.signal });
  return (await res.json()) as Hit[];
}

export async function searchAll(ctx: Context, shards: string[], q: string): Promise<Hit[]> {
  const hits: Hit[] = [];
  let shardCtx = ctx;
  for (const shard of shards) {
    // ctxkit/no-context-in-loop: each turn wraps the previous turn's context, so the chain (and every value
    // lookup through it) grows with the number of shards. Derive from `ctx`, not from `shardCtx`.
    shardCtx = withValue(shardCtx, shardKey, shard);
    hits.push(...(await race(ctx, queryShard(shardCtx, shard, q))));
  }
  return hits.sort((a, b) => b.score - a.score);
}

export async function cachedSearch(ctx: Context, shard: string, q: string): Promise<Hit[]> {
  const key = `${shard}:${q}`;
  if (!cache.has(key)) cache.set(key, queryShard(ctx, shard, q));
  // ctxkit/no-unbounded-await: a stored promise, made under some earlier request's context; if it hangs, this
  // request hangs with it although `ctx` has a deadline. Use `race(ctx, …)`.
  return await cache.get(key)!;
}

export async function backoff(ctx: Context, attempt: number): Promise<void> {
  // ctxkit/no-unbounded-await: a bare timer; cancelling `ctx` does not cut the wait short. Use `sleep(ctx, ms)`.
  await new Promise<void>((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  await sleep(ctx, 0);
}
