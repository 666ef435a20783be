/**
 * Jobs: a worker that pulls jobs from a queue and runs them. It stores its context in a field, takes the
 * context in the wrong position, and passes a null context where one is expected.
 */
import { withCancel, withoutCancel, type Context } from "ctxkit";

export interface Job {
  id: string;
  payload: unknown;
}

export interface Queue {
  take(ctx: Context): Promise<Job | undefined>;
  ack(ctx: Context, id: string): Promise<void>;
}

export class Worker {
  // ctxkit/no-stored-context: a context kept in a field outlives the call it belongs to; every later call
  // runs under whatever deadline the constructor's caller had. Pass it to each method instead.
  private readonly ctx: Context;

  constructor(
    ctx: Context,
    private readonly queue: Queue,
  ) {
    this.ctx = ctx;
  }

  async runOnce(): Promise<boolean> {
    const job = await this.queue.take(this.ctx);
    if (!job) return false;
    await handle(job, this.ctx);
    // ctxkit/no-null-context: `ack` takes a context, and `null!` only silences the compiler: ctxkit throws a
    // TypeError for a null parent at run time (Go's SA1012). Pass the context in scope, or `todo()` while it is
    // not threaded yet.
    await this.queue.ack(null!, job.id);
    return true;
  }
}

// ctxkit/context-first-param: the context comes first, by convention (revive's context-as-argument), so that
// call sites read the same everywhere and "Thread ctx" knows where to put it.
export async function handle(job: Job, ctx: Context): Promise<void> {
  const { ctx: jobCtx, cancel } = withCancel(ctx);
  try {
    await audit(withoutCancel(jobCtx), job);
  } finally {
    cancel();
  }
}

async function audit(ctx: Context, job: Job): Promise<void> {
  await fetch("http://audit.internal/jobs", { method: "POST", body: JSON.stringify(job), signal: ctx.signal });
}
