/**
 * Every TypeScript project of a workspace, for edits that must reach every call site (Thread ctx). The server
 * loads a tsconfig's project when one of its files is first used; a caller in a project none of whose files was
 * opened would be missed, so each tsconfig under the workspace root is found on disk and its project loaded
 * through one of its own files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import type { Project, ProjectService } from "../projects";

/** Folders never searched for tsconfigs. */
const SKIPPED = new Set(["node_modules", "dist", "out", "build", "coverage"]);
/** A bound on the folders visited, so a huge tree cannot stall a code action. */
const MAX_DIRS = 5000;

/** The tsconfig.json files under `root` (dependencies, build output and dot-folders excluded). */
export function findTsconfigs(root: string): string[] {
  const found: string[] = [];
  const queue = [root];
  for (let visited = 0; queue.length > 0 && visited < MAX_DIRS; visited++) {
    const dir = queue.shift()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isFile() && e.name === "tsconfig.json") found.push(path.join(dir, e.name));
      else if (e.isDirectory() && !e.name.startsWith(".") && !SKIPPED.has(e.name)) queue.push(path.join(dir, e.name));
    }
  }
  return found;
}

/** Every project of the workspace: each tsconfig under the root loaded, and the inferred project. */
export function workspaceProjects(service: ProjectService): Project[] {
  const loaded = new Set(service.projects().map((p) => p.configFile));
  for (const config of findTsconfigs(service.rootDirectory)) {
    if (loaded.has(config)) continue;
    const file = ownFileOf(config);
    // Looking up a file of the tsconfig's folder loads the tsconfig that includes it (this one or a nearer one).
    if (file) service.projectFor(file);
  }
  return service.projects();
}

/** A source file of `config` inside its own folder (so the lookup from it reaches `config`), if any. */
function ownFileOf(config: string): string | undefined {
  const read = ts.readConfigFile(config, (f) => ts.sys.readFile(f));
  if (read.error) return undefined;
  const dir = path.dirname(config);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, config);
  const file = parsed.fileNames.map((f) => path.normalize(f)).find((f) => f.startsWith(dir + path.sep) && !f.endsWith(".d.ts"));
  return file;
}
