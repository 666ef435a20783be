/** Temporary workspaces for the server tests: a tsconfig, `ctxkit` linked from this repo, and the given files. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

export const REPO = path.join(__dirname, "..", "..");

export interface TempWorkspace {
  dir: string;
  file(rel: string): string;
  uri(rel: string): string;
  write(rel: string, text: string): void;
  read(rel: string): string;
  remove(): void;
}

export const TSCONFIG = JSON.stringify(
  {
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, lib: ["ES2022", "DOM", "ESNext.Disposable"], types: [], skipLibCheck: true, noEmit: true },
    include: ["src"],
  },
  null,
  2,
);

export function tempWorkspace(files: Record<string, string>, options: { tsconfig?: string | null } = {}): TempWorkspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ctxkit-server-")));
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(path.join(REPO, "runtime"), path.join(dir, "node_modules", "ctxkit"), "dir");
  const ws: TempWorkspace = {
    dir,
    file: (rel) => path.join(dir, rel),
    uri: (rel) => pathToFileURL(path.join(dir, rel)).href,
    write: (rel, text) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    },
    read: (rel) => fs.readFileSync(path.join(dir, rel), "utf8"),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  if (options.tsconfig !== null) ws.write("tsconfig.json", options.tsconfig ?? TSCONFIG);
  for (const [rel, text] of Object.entries(files)) ws.write(rel, text);
  return ws;
}
