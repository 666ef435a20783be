/** The demo scenario run by `npm run demo` (scripts/demo.mjs). */

import { createService } from "./service";

/** How long each downstream call takes; the short budget below is well under the fastest one. */
const delays = { users: 300, orders: 400, recommendations: 500 };

async function call(budget: number) {
  const server = createService(delays, budget);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const started = Date.now();
    const res = await fetch("http://127.0.0.1:" + (server.address() as { port: number }).port + "/profile");
    const body = (await res.json()) as { branch: string; ok: boolean; detail: string }[];
    return { body, ms: Date.now() - started };
  } finally {
    server.close();
  }
}

async function main() {
  const short = await call(100);
  console.log("request with a 100 ms deadline (downstream calls take 300-500 ms):");
  for (const b of short.body) console.log(`  ${b.branch.padEnd(16)}${b.detail}`);
  console.log("  answered in " + short.ms + " ms");
  const long = await call(2000);
  console.log("request with a 2 s deadline:");
  for (const b of long.body) console.log(`  ${b.branch.padEnd(16)}${b.detail}`);
  console.log("  answered in " + long.ms + " ms");
  // The proof is in the answers, not the clock: every branch of the short request stopped on the deadline.
  // (Wall times are printed, and compared only relatively, so a loaded machine cannot fail the demo.)
  if (short.body.length !== 3 || short.body.some((b) => b.ok || !/deadline/i.test(b.detail))) {
    console.error("FAIL: cancellation did not reach every branch");
    process.exit(1);
  }
  if (short.ms >= long.ms) {
    console.error("FAIL: the short request was not cut short by its deadline");
    process.exit(1);
  }
  if (long.body.length !== 3 || !long.body.every((b) => b.ok)) {
    console.error("FAIL: the unhurried request did not complete");
    process.exit(1);
  }
  console.log("OK: the deadline reached every branch, and the unhurried request completed.");
}

void main();
