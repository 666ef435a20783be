/**
 * One incremental `ts.LanguageService` per tsconfig, and one inferred project for files outside every tsconfig.
 *
 * A file belongs to the nearest tsconfig (walking up from its folder) whose file list includes it. The services read
 * open documents at the editor's versions and every other file from disk. The TypeScript used is the server's own
 * (bundled), never the workspace's: the server runs no workspace code.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import type { OpenDocuments } from "./documents";

/** Where the bundled server finds TypeScript's lib files (copied beside the bundle by the build). */
function findLibDirectory(): string | undefined {
  const candidates = [path.dirname(ts.getDefaultLibFilePath({})), path.join(__dirname, "typescript-lib"), path.join(__dirname, "..", "typescript-lib")];
  return candidates.find((dir) => fs.existsSync(path.join(dir, "lib.es5.d.ts")));
}

export const LIB_DIRECTORY = findLibDirectory();

/** Compiler options for files outside every tsconfig. */
const INFERRED_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"],
  strict: true,
  allowJs: true,
  checkJs: false,
  skipLibCheck: true,
  esModuleInterop: true,
  jsx: ts.JsxEmit.Preserve,
  noEmit: true,
};

const TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

export function isLintable(fileName: string): boolean {
  return TS_EXTENSIONS.some((ext) => fileName.endsWith(ext)) && !/\.d\.[mc]?ts$/.test(fileName);
}

export interface ProjectMessages {
  /** A problem the user must see (once per distinct problem). */
  problem(message: string): void;
  log(message: string): void;
}

/**
 * A file's text as TypeScript reads it. It knows how it differs from an earlier snapshot of the same file, so the
 * language service re-parses incrementally (reusing the unchanged nodes) instead of parsing the whole file again.
 */
export class TextSnapshot implements ts.IScriptSnapshot {
  /** `fresh`: no change range to any earlier snapshot, so TypeScript parses the text from scratch. */
  constructor(
    readonly text: string,
    private readonly fresh = false,
  ) {}

  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }

  getLength(): number {
    return this.text.length;
  }

  getChangeRange(oldSnapshot: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    if (this.fresh || !(oldSnapshot instanceof TextSnapshot)) return undefined;
    return changeRange(oldSnapshot.text, this.text);
  }
}

/** The single edit (common prefix and suffix) that turns `oldText` into `text`. */
export function changeRange(oldText: string, text: string): ts.TextChangeRange {
  if (oldText === text) return ts.unchangedTextChangeRange;
  const min = Math.min(oldText.length, text.length);
  let start = 0;
  while (start < min && oldText.charCodeAt(start) === text.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < min - start && oldText.charCodeAt(oldText.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  return ts.createTextChangeRange(ts.createTextSpan(start, oldText.length - suffix - start), text.length - suffix - start);
}

/**
 * Versions, text and snapshots of every file the services read: open documents first, then disk (cached by mtime
 * until a watched-file event or a document change says otherwise).
 */
class FileSource {
  private readonly diskVersions = new Map<string, string>();
  /** The last snapshot of each file, with the version it was taken at. */
  private readonly snapshots = new Map<string, { version: string; snapshot: TextSnapshot | undefined }>();

  constructor(private readonly docs: OpenDocuments) {}

  version(fileName: string): string {
    const open = this.docs.get(fileName);
    if (open) return `o${open.doc.version}`;
    let v = this.diskVersions.get(fileName);
    if (v === undefined) {
      try {
        v = `d${fs.statSync(fileName).mtimeMs}`;
      } catch {
        v = "missing";
      }
      this.diskVersions.set(fileName, v);
    }
    return v;
  }

  text(fileName: string): string | undefined {
    return this.snapshot(fileName)?.text;
  }

  /** The file's snapshot at its current version; the same object while the version holds. */
  snapshot(fileName: string): TextSnapshot | undefined {
    const version = this.version(fileName);
    const known = this.snapshots.get(fileName);
    if (known?.version === version) return known.snapshot;
    const open = this.docs.get(fileName);
    const text = open ? open.doc.getText() : ts.sys.readFile(fileName);
    const snapshot = text === undefined ? undefined : known?.snapshot?.text === text ? known.snapshot : new TextSnapshot(text);
    this.snapshots.set(fileName, { version, snapshot });
    return snapshot;
  }

  /** The file's text now, past every cache: for tsconfigs, whose staleness is checked by their own mtime. */
  fresh(fileName: string): string | undefined {
    this.forget(fileName);
    return this.text(fileName);
  }

  exists(fileName: string): boolean {
    return this.docs.get(fileName) !== undefined || ts.sys.fileExists(fileName);
  }

  /** Forget what is known of a file on disk (it changed, was created or deleted, or its document closed). */
  forget(fileName: string): void {
    this.diskVersions.delete(fileName);
    const known = this.snapshots.get(fileName);
    if (known) known.version = ""; // re-read at the next request, but kept as the base of an incremental parse
  }

  forgetAll(): void {
    this.diskVersions.clear();
    for (const known of this.snapshots.values()) known.version = "";
  }

  /**
   * After TypeScript failed while updating a program: every file's next parse starts from scratch. An incremental
   * parse that threw leaves the old tree marked as already re-parsed, and every later incremental parse from it
   * fails the same way ("Source file has already been incrementally parsed"); a fresh parse does not start from it.
   */
  reparseFromScratch(): void {
    for (const known of this.snapshots.values()) {
      if (known.snapshot) known.snapshot = new TextSnapshot(known.snapshot.text, true);
    }
  }
}

export class Project {
  readonly service: ts.LanguageService;
  private options: ts.CompilerOptions = INFERRED_OPTIONS;
  private roots = new Set<string>();
  private configStamp: number | undefined;
  /** Why the tsconfig could not be used; its files then go to the inferred project until it is fixed. */
  configError: string | undefined;

  constructor(
    /** The tsconfig's path, or `undefined` for the inferred project. */
    readonly configFile: string | undefined,
    private readonly owner: ProjectService,
    registry: ts.DocumentRegistry,
  ) {
    const files = owner.files;
    // `getModuleResolutionCache` is read off the host by the language service (it is in `CompilerHost`'s public type).
    const host: ts.LanguageServiceHost & Pick<ts.CompilerHost, "getModuleResolutionCache"> = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [...this.roots],
      getProjectVersion: () => String(owner.version),
      getScriptVersion: (f) => files.version(path.normalize(f)),
      getScriptSnapshot: (f) => files.snapshot(path.normalize(f)),
      getCurrentDirectory: () => (configFile ? path.dirname(configFile) : owner.rootDirectory),
      getDefaultLibFileName: (o) => path.join(LIB_DIRECTORY ?? path.dirname(ts.getDefaultLibFilePath(o)), ts.getDefaultLibFileName(o)),
      fileExists: (f) => files.exists(path.normalize(f)),
      readFile: (f) => files.text(path.normalize(f)),
      readDirectory: (p, ext, ex, inc, depth) => ts.sys.readDirectory(p, ext, ex, inc, depth),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: (p) => (ts.sys.realpath ? ts.sys.realpath(p) : p),
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
      // Module resolution through one cache that outlives each program (see `resolutionCache`).
      resolveModuleNameLiterals: (literals, containingFile, redirected, options, file) => {
        const cache = this.resolutionCache();
        return literals.map((literal) => ts.resolveModuleName(literal.text, containingFile, options, host, cache, redirected, ts.getModeForUsageLocation(file, literal, options)));
      },
      getModuleResolutionCache: () => this.resolutionCache(),
    };
    this.service = ts.createLanguageService(host, registry);
    if (configFile) this.load();
  }

  private resolutions: { cache: ts.ModuleResolutionCache; options: ts.CompilerOptions; epoch: number } | undefined;

  /**
   * Speed path: the module resolution cache, kept from one program to the next while the compiler options and the
   * set of files stay the same. Without it TypeScript makes a new cache per program, and the package.json scope of
   * every file (its module format; every file under node_modules) is looked up and parsed again after each edit.
   * A file created, deleted, opened or closed, or a changed package.json or tsconfig, starts a new one
   * (`ProjectService.resolutionEpoch`): a cached failure to resolve must not outlive the file that now exists.
   */
  private resolutionCache(): ts.ModuleResolutionCache {
    const epoch = this.owner.resolutionEpoch;
    const r = this.resolutions;
    if (r && r.options === this.options && r.epoch === epoch) return r.cache;
    const cwd = this.configFile ? path.dirname(this.configFile) : this.owner.rootDirectory;
    const canonical = ts.sys.useCaseSensitiveFileNames ? (f: string) => f : (f: string) => f.toLowerCase();
    this.resolutions = { cache: ts.createModuleResolutionCache(cwd, canonical, this.options), options: this.options, epoch };
    return this.resolutions.cache;
  }

  get isInferred(): boolean {
    return this.configFile === undefined;
  }

  includes(fileName: string): boolean {
    return this.roots.has(fileName);
  }

  addRoot(fileName: string): void {
    if (!this.roots.has(fileName)) {
      this.roots.add(fileName);
      this.owner.bump();
    }
  }

  removeRoot(fileName: string): void {
    if (this.roots.delete(fileName)) this.owner.bump();
  }

  get rootCount(): number {
    return this.roots.size;
  }

  /** Re-reads the tsconfig when its modification time changed (clients without file watching still recover). */
  refreshIfStale(): boolean {
    if (!this.configFile) return false;
    let stamp: number | undefined;
    try {
      stamp = fs.statSync(this.configFile).mtimeMs;
    } catch {
      stamp = undefined;
    }
    if (stamp === this.configStamp) return false;
    this.load();
    return true;
  }

  /** (Re)parses the tsconfig: its options and file list. A broken file leaves the project empty with `configError`. */
  load(): void {
    const configFile = this.configFile!;
    const before = this.configError;
    try {
      this.configStamp = fs.statSync(configFile).mtimeMs;
    } catch {
      this.configStamp = undefined;
    }
    const read = ts.readConfigFile(configFile, (f) => this.owner.files.fresh(path.normalize(f)));
    let error: string | undefined;
    if (read.error) {
      error = ts.flattenDiagnosticMessageText(read.error.messageText, "\n");
    } else {
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configFile), undefined, configFile);
      const fatal = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003 /* no inputs */);
      if (fatal.length > 0 && parsed.fileNames.length === 0) {
        error = fatal.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ");
      } else {
        this.options = { ...parsed.options, noEmit: true };
        this.roots = new Set(parsed.fileNames.map((f) => path.normalize(f)));
        for (const d of fatal) this.owner.messages.log(`${configFile}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      }
    }
    if (error !== undefined) {
      this.options = INFERRED_OPTIONS;
      this.roots = new Set();
      this.configError = error;
      if (error !== before) {
        this.owner.messages.problem(`ctxkit: ${configFile} cannot be read: ${error}. Its files are checked with default compiler options until it is fixed.`);
      }
    } else {
      this.configError = undefined;
      if (before !== undefined) this.owner.messages.log(`${configFile} is readable again; its files use it.`);
    }
    this.owner.bump();
  }

  /**
   * The program at the current texts. When TypeScript throws on the way (a parser assertion on odd input), it tries
   * once more with every file parsed from scratch, so one failure does not poison the files' incremental parses.
   */
  program(): ts.Program {
    let program: ts.Program | undefined;
    try {
      program = this.service.getProgram();
    } catch (first) {
      this.owner.files.reparseFromScratch();
      // The service records the project version before it builds, and skips the next build at the same version.
      this.owner.bump();
      try {
        program = this.service.getProgram();
      } catch {
        this.owner.bump(); // the next request tries again
        throw first;
      }
    }
    if (!program) throw new Error(`TypeScript built no program for ${this.configFile ?? "the inferred project"}`);
    return program;
  }

  dispose(): void {
    this.service.dispose();
  }
}

export class ProjectService {
  /** Bumped on every change that can affect any program; the services' fast path when nothing changed. */
  version = 0;
  /** Bumped when files may have appeared or vanished, or package.json files changed: module resolutions start over. */
  resolutionEpoch = 0;
  readonly files: FileSource;
  private readonly configured = new Map<string, Project>();
  private readonly registry = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames);
  private readonly inferred: Project;
  /** tsconfig.json looked up per folder (`null`: none there). */
  private readonly configOfDir = new Map<string, string | null>();
  private readonly projectOfFile = new Map<string, Project>();

  constructor(
    docs: OpenDocuments,
    readonly rootDirectory: string,
    readonly messages: ProjectMessages,
  ) {
    this.files = new FileSource(docs);
    this.inferred = new Project(undefined, this, this.registry);
    if (!LIB_DIRECTORY) messages.problem("ctxkit: TypeScript's lib files were not found beside the server; type information will be incomplete.");
  }

  bump(): void {
    this.version++;
  }

  /** The project a file belongs to (creating and loading tsconfig projects on first use). */
  projectFor(fileName: string): Project {
    const known = this.projectOfFile.get(fileName);
    if (known && (known.isInferred || known.includes(fileName))) return known;
    let dir = path.dirname(fileName);
    for (;;) {
      const config = this.configIn(dir);
      if (config) {
        const project = this.configuredProject(config);
        if (project.includes(fileName)) return this.assign(fileName, project);
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    this.inferred.addRoot(fileName);
    return this.assign(fileName, this.inferred);
  }

  private assign(fileName: string, project: Project): Project {
    const before = this.projectOfFile.get(fileName);
    if (before && before !== project && before.isInferred) before.removeRoot(fileName);
    this.projectOfFile.set(fileName, project);
    return project;
  }

  private configIn(dir: string): string | null {
    let found = this.configOfDir.get(dir);
    if (found === undefined) {
      const candidate = path.join(dir, "tsconfig.json");
      found = fs.existsSync(candidate) ? candidate : null;
      this.configOfDir.set(dir, found);
    }
    return found;
  }

  private configuredProject(config: string): Project {
    let project = this.configured.get(config);
    if (!project) {
      project = new Project(config, this, this.registry);
      this.configured.set(config, project);
    }
    return project;
  }

  /** Checks each tsconfig on the way to `fileName` for changes on disk; true when one was re-read. */
  refreshConfigsFor(fileName: string): boolean {
    let changed = false;
    for (const project of this.configured.values()) {
      if (fileName.startsWith(path.dirname(project.configFile!) + path.sep) && project.refreshIfStale()) changed = true;
    }
    if (changed) this.reassignAll();
    return changed;
  }

  /**
   * A file's text changed in the editor (open, edit, close). Opening or closing a document can make a file exist
   * or vanish for the programs (an unsaved new file), so module resolutions start over then.
   */
  documentChanged(fileName: string, how: "opened" | "edited" | "closed" = "edited"): void {
    this.files.forget(fileName);
    if (how !== "edited") this.resolutionEpoch++;
    this.bump();
  }

  /**
   * A file changed on disk (from `workspace/didChangeWatchedFiles`). A tsconfig is re-read; a created or deleted
   * source file may change which files each tsconfig includes, so the file lists are re-read too.
   */
  diskChanged(fileName: string, kind: "created" | "changed" | "deleted"): void {
    this.files.forget(fileName);
    if (kind !== "changed" || fileName.endsWith(".json")) this.resolutionEpoch++;
    const base = path.basename(fileName);
    if (base === "tsconfig.json" || base.endsWith(".json")) {
      this.configOfDir.delete(path.dirname(fileName));
      const project = this.configured.get(fileName);
      if (project) {
        if (kind === "deleted") {
          project.dispose();
          this.configured.delete(fileName);
        } else project.load();
      }
      this.reassignAll();
    } else if (kind !== "changed") {
      for (const project of this.configured.values()) {
        if (fileName.startsWith(path.dirname(project.configFile!) + path.sep)) project.load();
      }
      this.reassignAll();
    }
    this.bump();
  }

  /** Every file's project is looked up again (after tsconfigs changed). */
  private reassignAll(): void {
    const files = [...this.projectOfFile.keys()];
    this.projectOfFile.clear();
    for (const f of files) this.inferred.removeRoot(f);
    for (const f of files) this.projectFor(f);
  }

  /** Forgets a closed file that no tsconfig includes. */
  release(fileName: string): void {
    const project = this.projectOfFile.get(fileName);
    if (project?.isInferred) {
      project.removeRoot(fileName);
      this.projectOfFile.delete(fileName);
    }
  }

  projects(): Project[] {
    return [...this.configured.values(), this.inferred];
  }

  dispose(): void {
    for (const p of this.projects()) p.dispose();
  }
}

/**
 * The files `fileName` imports, directly or through other files, within `program` (lib files excluded). The server
 * uses it to find the open files that depend on a changed file. Cached per source file object: a new version of a
 * file is a new object, so a cache entry never goes stale.
 */
export class ImportGraph {
  private readonly direct = new WeakMap<ts.SourceFile, string[]>();
  private readonly cache = ts.createModuleResolutionCache(process.cwd(), (f) => f);

  private importsOf(program: ts.Program, file: ts.SourceFile): string[] {
    let out = this.direct.get(file);
    if (out) return out;
    const options = program.getCompilerOptions();
    const info = ts.preProcessFile(file.text, true, true);
    out = [];
    for (const ref of info.importedFiles) {
      const resolved = ts.resolveModuleName(ref.fileName, file.fileName, options, ts.sys, this.cache).resolvedModule;
      if (resolved) out.push(path.normalize(resolved.resolvedFileName));
    }
    for (const ref of info.referencedFiles) out.push(path.normalize(path.resolve(path.dirname(file.fileName), ref.fileName)));
    this.direct.set(file, out);
    return out;
  }

  /** The transitive imports of `fileName` (not including itself). */
  dependencies(program: ts.Program, fileName: string): Set<string> {
    const seen = new Set<string>();
    const queue = [fileName];
    while (queue.length > 0) {
      const next = queue.pop()!;
      const sf = program.getSourceFile(next);
      if (!sf) continue;
      for (const dep of this.importsOf(program, sf)) {
        if (!seen.has(dep) && dep !== fileName) {
          seen.add(dep);
          queue.push(dep);
        }
      }
    }
    return seen;
  }
}
