// The ctxkit demo: runs the example service twice — once with a deadline shorter than the downstream
// calls (every branch must be cancelled) and once with enough time (every branch must answer).
// Exits non-zero if cancellation did not reach every branch.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const r = spawnSync(process.execPath, ["--import", "tsx", "examples/src/demo.ts"], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
