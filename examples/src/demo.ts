/** The demo scenario run by `npm run demo` (scripts/demo.mjs). */

import { createService } from "./service";
const delays = { users: 300, orders: 400, recommendations: 500 };
async function call(budget: number) {
  const server = createService(delays, budget);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const started = Date.now();
  const res = await fetch("http://127.0.0.1:" + (server.address() as { port: number }).port + "/profile");
  const body = (await res.json()) as { branch: string; ok: boolean; detail: string }[];
  server.close();
  return { body, ms: Date.now() - started };
}
async function main() {
const short = await call(100);
console.log("request with a 100 ms deadline (downstream calls take 300-500 ms):");
for (const b of short.body) console.log(`  ${b.branch.padEnd(16)}${b.detail}`);
console.log("  answered in " + short.ms + " ms");
const long = await call(2000);
console.log("request with a 2 s deadline:");
for (const b of long.body) console.log(`  ${b.branch.padEnd(16)}${b.detail}`);
if (short.body.some((b) => b.ok) || short.ms > 290) { console.error("FAIL: cancellation did not reach every branch in time"); process.exit(1); }
if (!long.body.every((b) => b.ok)) { console.error("FAIL: the unhurried request did not complete"); process.exit(1); }
console.log("OK: the deadline reached every branch, and the unhurried request completed.");
}
void main();
