/**
 * Re-linting only what an edit can have changed.
 *
 * A full lint of a large file costs the typescript-estree conversion of the whole file plus every rule over every
 * node, although a typical edit touches one function body. When the only change since the last lint of a file is
 * inside the body of one *type-stable* function (one whose type cannot depend on its body: an explicit return type,
 * a constructor, a setter), the types of everything outside that body are unchanged, and so are the rules' results
 * there — except for statements that look into that body (rules read callee bodies: is an async helper CPU-only,
 * does a callee read its options' signal). This module
 *
 * 1. decides whether an edit qualifies ({@link planPartialLint}) and which *units* are dirty — a unit is a top-level
 *    statement, a member of a class or a statement of a namespace: the one holding the change, and every unit that
 *    names something a dirty unit declares (transitively; a name the checker resolves elsewhere does not count);
 * 2. builds a *slice* of the new text, of exactly the same length, in which every declaration the dirty statements
 *    do not (transitively) name is blanked (spaces; line breaks kept), and so is every function body outside the
 *    dirty statements, so the parse is small and every offset, line and column is the real one — imports and the
 *    declarations the dirty code names stay, so its scopes resolve as before;
 * 3. merges the problems the rules report inside the dirty statements with the previous lint's problems outside
 *    them, shifted past the edit ({@link mergePartial}).
 *
 * The rules run unchanged: lint.ts parses the slice, points the parser services at the real program's nodes (same
 * positions, same kinds) and runs each rule's listeners only for nodes that overlap the dirty statements.
 * Anything unexpected means "not eligible", and the caller lints the whole file.
 */
import ts from "typescript";
import type { Linter } from "eslint";
import type { LintOutcome, LintProblem, RelatedNode } from "./lint";
import { changeRange } from "./projects";
import { valueSymbolOf } from "../../eslint-plugin/src/analysis/scope";

/**
 * What the last lint of a file saw: the input of the next partial lint. Plain data, not the source file: the language
 * service re-parses a changed file incrementally, and that moves the old tree's nodes in place.
 */
export interface LintBasis {
  fileName: string;
  /** The text that was linted. */
  text: string;
  lineStarts: readonly number[];
  /** Its top-level statements, in order. */
  statements: readonly StatementShape[];
  /** Every source file of the program the lint ran on, to tell that nothing else changed since. */
  programFiles: readonly ts.SourceFile[];
  /** The settings generation the lint ran with. */
  generation: number;
  outcome: LintOutcome;
}

/** A top-level statement as the next plan needs it. */
interface StatementShape {
  kind: ts.SyntaxKind;
  pos: number;
  /** Where its first token starts (after leading trivia). */
  start: number;
  end: number;
  /** Its outermost functions with a body: `[node start, node end, body start, body end]`. */
  functions: readonly (readonly [number, number, number, number])[];
}

/** The basis of the next partial lint of `sf`, linted as `outcome` in a program of `programFiles`. */
export function lintBasis(sf: ts.SourceFile, programFiles: readonly ts.SourceFile[], generation: number, outcome: LintOutcome): LintBasis {
  const statements = sf.statements.map((statement): StatementShape => {
    const functions: [number, number, number, number][] = [];
    const visit = (node: ts.Node): void => {
      if (isFunctionLike(node) && node.body) {
        if (ts.isBlock(node.body)) functions.push([node.getStart(sf), node.end, node.body.getStart(sf), node.body.end]);
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(statement);
    return { kind: statement.kind, pos: statement.pos, start: statement.getStart(sf), end: statement.end, functions };
  });
  return { fileName: sf.fileName, text: sf.text, lineStarts: sf.getLineStarts(), statements, programFiles, generation, outcome };
}

export type Range2 = readonly [start: number, end: number];

export interface PartialPlan {
  /**
   * The new text with the declarations the dirty statements do not need blanked, and function bodies outside the
   * dirty statements too; same length as the new text.
   */
  slice: string;
  /** The dirty top-level statements of the new text, `[start, end)` offsets, sorted. */
  dirty: Range2[];
  /** The edit: `[start, oldEnd)` of the old text became `[start, newEnd)` of the new one. */
  start: number;
  oldEnd: number;
  newEnd: number;
  /** Offset and line shift of everything after the edit. */
  delta: number;
  lineDelta: number;
  /** The old text's statement that held the edit, as old offsets (cached problems inside it are dropped). */
  oldDirty: Range2[];
  /** 1-based first line (old text) of the changed statement. */
  changedFromLine: number;
  /** 1-based line (old text) after which cached positions are shifted by {@link lineDelta}. */
  shiftAfterLine: number;
}

/** Why a partial lint was not possible (for the trace log and the tests). */
export interface NoPlan {
  reason: string;
}

/** Dirty statements covering more than this share of the file are not worth slicing. */
const MAX_DIRTY_SHARE = 0.5;

/**
 * Whether an edit inside `fn`'s body leaves everything its callers can learn about it unchanged except its body:
 * not async, not a generator, and a declared return type that is not thenable (`(): void`, `(): string[]`).
 */
function hasStableFace(fn: ts.SignatureDeclaration, checker: ts.TypeChecker): boolean {
  if (!fn.type || (fn as { asteriskToken?: ts.AsteriskToken }).asteriskToken) return false;
  if (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) return false;
  if (ts.isConstructorDeclaration(fn)) return false;
  const type = checker.getTypeFromTypeNode(fn.type);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter)) return false;
  const parts = type.isUnion() ? type.types : [type];
  return !parts.some((t) => t.getProperty("then") !== undefined);
}

/**
 * Directive comments that change how other code is linted; a blanked region must not hide one. A line directive
 * (`eslint-disable-line`, `eslint-disable-next-line`) only acts on its own lines, which a blanked body keeps to itself.
 */
const DIRECTIVE = /eslint(?!-disable-(?:next-)?line\b)|\bglobals?\s|\bexported\s/;

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/**
 * A top-level statement whose code runs only when something calls into it: declarations, and variables initialised
 * with functions. Top-level code elsewhere (an `if`, a call, `const x = f()`) is linted as part of the module's own
 * code path, which a slice would cut, so an edit there (or a dirty statement of that kind) takes the full lint.
 */
function isDeclarationStatement(statement: ts.Statement): boolean {
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) return true;
  if (isTypeOnly(statement) || ts.isEnumDeclaration(statement)) return true;
  // A namespace of declarations (protobuf generators write codecs so): its body only binds names at load.
  const block = moduleBlockOf(statement);
  if (block) return block.statements.every(isDeclarationStatement);
  if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) return true;
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.every((d) => d.initializer === undefined || isFunctionLike(unwrap(d.initializer)));
  }
  return false;
}

/**
 * A statement that declares types only: an interface, a type alias, or a namespace of nothing else (generated API
 * clients keep most of their text in such namespaces). It runs no code, so a slice may blank it like an interface.
 */
function isTypeOnly(statement: ts.Statement): boolean {
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) return true;
  if (!ts.isModuleDeclaration(statement) || !statement.body) return false;
  if (ts.isModuleDeclaration(statement.body)) return isTypeOnly(statement.body);
  return ts.isModuleBlock(statement.body) && statement.body.statements.every(isTypeOnly);
}

/** The statements block of `namespace A.B { … }` (the innermost body of a dotted name), if `statement` is one. */
function moduleBlockOf(statement: ts.Node): ts.ModuleBlock | undefined {
  if (!ts.isModuleDeclaration(statement)) return undefined;
  let body = statement.body;
  while (body && ts.isModuleDeclaration(body)) body = body.body;
  return body && ts.isModuleBlock(body) ? body : undefined;
}

function isModuleLink(statement: ts.Statement): boolean {
  return ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isImportEqualsDeclaration(statement);
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/** The names a statement makes visible to others: its declared names and the names of its member functions. */
function namesOf(statement: ts.Node): string[] {
  if (ts.isStatement(statement) && isTypeOnly(statement)) return []; // types declare no value a rule could follow
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isEnumDeclaration(node)) && node.name) names.push(node.name.text);
    else if (ts.isVariableDeclaration(node) || ts.isBindingElement(node)) {
      if (ts.isIdentifier(node.name)) names.push(node.name.text);
    } else if (
      (ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) &&
      (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) || ts.isStringLiteral(node.name))
    ) {
      names.push(ts.isPrivateIdentifier(node.name) ? node.name.text.slice(1) : node.name.text);
    }
    // Names inside function bodies are local to them; a skeleton walk is enough.
    if (isFunctionLike(node)) {
      for (const p of node.parameters) visit(p);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return names.filter((n) => n.length > 0);
}

/** The outermost function in `statement` whose block body strictly contains `[start, end)`. */
function outermostFunctionAround(statement: ts.Statement, start: number, end: number, sf: ts.SourceFile): ts.FunctionLikeDeclaration | undefined {
  let found: ts.FunctionLikeDeclaration | undefined;
  const visit = (node: ts.Node): void => {
    if (found || node.getStart(sf) > start || node.end < end) return;
    if (isFunctionLike(node) && node.body) {
      const body = node.body;
      if (ts.isBlock(body) && body.getStart(sf) < start && end < body.end) found = node;
      return; // the outermost function is the one that decides; do not look inside
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return found;
}

/** Runs of what a blanked region turns into spaces: everything but line breaks (so lines and columns stay). */
const NOT_LINE_BREAKS = /[^\n\r\u2028\u2029]+/g;

/** `region` with every character but line breaks replaced by a space (one replacement per line, not per character). */
function spaces(region: string): string {
  return region.replace(NOT_LINE_BREAKS, (run) => " ".repeat(run.length));
}

/**
 * What the dirty set is made of: a top-level statement, one member of a class, or one statement of a namespace
 * (nested: a member of a class in a namespace).
 */
interface Unit {
  /** The path of indexes from the top-level statement down, `/`-separated (`3`, `3/0`, `3/2/1`). */
  key: string;
  /** The top-level statement's index. */
  index: number;
  node: ts.Node;
  pos: number;
  end: number;
}

/**
 * The unit holding `offset`: the innermost member of a class or statement of a namespace it falls in, else its
 * top-level statement. A class's or namespace's own header and braces count as the whole of it.
 */
function unitAt(statements: readonly ts.Statement[], offset: number): Unit | undefined {
  const index = statementAt(statements, offset);
  if (index < 0) return undefined;
  let node: ts.Node = statements[index]!;
  let key = `${index}`;
  for (;;) {
    const children: readonly ts.Node[] | undefined = ts.isClassDeclaration(node) ? node.members : moduleBlockOf(node)?.statements;
    const i = children ? statementAt(children, offset) : -1;
    if (i < 0) break;
    node = children![i]!;
    key = `${key}/${i}`;
  }
  return { key, index, node, pos: node.pos, end: node.end };
}

/** Whether a unit enclosing `unit` (a class or namespace it is in) is dirty itself; `except` is not asked about. */
function insideDirty(unit: Unit, dirty: ReadonlyMap<string, Unit>, except?: string): boolean {
  for (let i = unit.key.lastIndexOf("/"); i > 0; i = unit.key.lastIndexOf("/", i - 1)) {
    const key = unit.key.slice(0, i);
    if (key !== except && dirty.has(key)) return true;
  }
  return false;
}

/** Whether code in `node` can run anything whose behaviour an edited body changes: a call, an await, a function. */
function canRun(node: ts.Node): boolean {
  const visit = (n: ts.Node): boolean =>
    ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isAwaitExpression(n) || ts.isTaggedTemplateExpression(n) ||
    ts.isDecorator(n) || ts.isYieldExpression(n) || ts.isForOfStatement(n) || isFunctionLike(n) || ts.isClassLike(n) ||
    ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n) || ts.isClassStaticBlockDeclaration(n) ||
    ts.forEachChild(n, visit) === true;
  return visit(node);
}

/** Index of the statement containing `offset` (statements sorted by position), or -1. */
function statementAt(statements: readonly { pos: number; end: number }[], offset: number): number {
  let lo = 0;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = statements[mid]!;
    if (offset < s.pos) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Whether the edit from `basis` to `program`'s current `fileName` can be linted partially, and how.
 * `program` must be the project's program at the new text.
 */
export function planPartialLint(basis: LintBasis, program: ts.Program, fileName: string, generation: number): PartialPlan | NoPlan | "unchanged" {
  if (basis.generation !== generation) return { reason: "the settings changed" };
  if (basis.outcome.failure !== undefined) return { reason: "the last lint failed" };
  if (!/\.[mc]?tsx?$/.test(fileName) || /\.d\.[mc]?ts$/.test(fileName)) return { reason: "not a TypeScript source file" };
  const sf = program.getSourceFile(fileName);
  if (!sf) return { reason: "the file is not in the program" };
  const files = program.getSourceFiles();
  if (files.length !== basis.programFiles.length) return { reason: "the program's files changed" };
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    if (f !== basis.programFiles[i] && f.fileName !== sf.fileName) return { reason: `another file changed (${f.fileName})` };
  }
  if (program.getSyntacticDiagnostics(sf).length > 0) return { reason: "the file does not parse" };
  const oldText = basis.text;
  const text = sf.text;
  if (oldText === text) return "unchanged"; // a new version with the same text (an undo, a save): the last result holds

  // The edit, as the services' snapshots tell TypeScript.
  const { span, newLength } = changeRange(oldText, text);
  const start = span.start;
  const oldEnd = span.start + span.length;
  const newEnd = span.start + newLength;
  const delta = newEnd - oldEnd;

  // The same top-level statements, shifted past the edit.
  const statements = sf.statements;
  const oldStatements = basis.statements;
  if (statements.length !== oldStatements.length) return { reason: "the top-level statements changed" };
  const index = statementAt(statements, start);
  if (index < 0) return { reason: "the edit is outside every statement" };
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    const o = oldStatements[i]!;
    const shiftStart = i > index ? delta : 0;
    const shiftEnd = i >= index ? delta : 0;
    if (s.kind !== o.kind || s.pos !== o.pos + shiftStart || s.end !== o.end + shiftEnd) return { reason: "the top-level statements changed" };
  }
  const changed = statements[index]!;
  if (!isDeclarationStatement(changed)) return { reason: "the edit is in top-level code" };
  const fn = outermostFunctionAround(changed, start, Math.max(newEnd, start), sf);
  if (!fn) return { reason: "the edit is not inside a function body" };
  // A function without a declared return type may change its inferred type with the edit: whatever observes it
  // names it (its callers, `typeof f`, `this.m()`), and the name propagation below marks those units dirty; other
  // files are the dependents' lints' business.
  // The same function around the edit in the old text: same body start, body end shifted.
  const oldEditEnd = Math.max(oldEnd, start);
  const oldFn = oldStatements[index]!.functions.find(([s, e]) => s <= start && e >= oldEditEnd);
  const oldBody = oldFn && oldFn[2] < start && oldEditEnd < oldFn[3] ? oldFn : undefined;
  if (!oldBody || !fn.body || oldBody[2] !== fn.body.getStart(sf) || oldBody[3] + delta !== fn.body.end) {
    return { reason: "the edited function's body boundaries changed" };
  }

  // Dirty units: the changed one, and (transitively) every unit naming what a dirty one declares. A unit is a
  // top-level statement, one member of a class or one statement of a namespace (a large class or generated
  // namespace is mostly other members). A unit that
  // cannot run anything (no call, await or function: `Service.tag = "x"`, a type) passes names on but keeps its
  // cached problems, since nothing in it reads the edited body.
  const checker = program.getTypeChecker();
  const changedUnit = unitAt(statements, fn.getStart(sf))!;
  // Speed path: a unit that is most of the file on its own (one huge function) needs no name propagation to tell.
  if (changedUnit.end - changedUnit.pos > text.length * MAX_DIRTY_SHARE) return { reason: "the edit affects most of the file" };
  const dirty = new Map<string, Unit>([[changedUnit.key, changedUnit]]);
  const seen = new Set<string>([changedUnit.key]);
  let covered = changedUnit.end - changedUnit.pos;
  let frontier: Unit[] = [changedUnit];
  // The units naming the edited function are dirty: rules read a callee's body (which options it reads, whether it
  // does I/O). Their callers are reached only through what the edit can change about them: a return type it
  // infers, or, for an async function, a generator or one returning a thenable, the awaits that are read through
  // callees' bodies. A plain function with a declared, non-thenable return type shows its callers' callers nothing.
  const reachesFurther = !hasStableFace(fn, checker);
  const classNameAt = ts.isConstructorDeclaration(fn) && fn.parent.name ? fn.parent.name.getStart(sf) : -1;
  let round = 0;
  while (frontier.length > 0) {
    if (round++ === 1 && !reachesFurther) break;
    const names = new Set<string>();
    for (const u of frontier) for (const n of namesOf(u.node)) names.add(n);
    if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) names.add(fn.name.text.replace(/^#/, ""));
    // A constructor runs where its class is named (`new Service()`) — not where the class declares its name.
    if (ts.isConstructorDeclaration(fn) && fn.parent.name) names.add(fn.parent.name.text);
    const declaring = frontier;
    frontier = [];
    if (names.size === 0) break;
    const pattern = new RegExp(`(?<![\\w$])(?:${[...names].map(escapeRegExp).join("|")})(?![\\w$])`, "g");
    for (const match of text.matchAll(pattern)) {
      if (match.index === classNameAt) continue;
      const u = unitAt(statements, match.index);
      if (!u || seen.has(u.key)) continue;
      // A name that resolves to something the frontier does not declare (another namespace's `codec`, a local
      // of the same name) does not reach the edit: the checker says which declaration each name means.
      if (!mayReferTo(u.node, match.index, declaring, sf, checker)) continue;
      seen.add(u.key);
      frontier.push(u);
      if (!canRun(u.node)) continue;
      dirty.set(u.key, u);
      // Speed path: stop as soon as the dirty units cover too much (counted once where one holds another).
      if (!insideDirty(u, dirty)) {
        covered += u.end - u.pos;
        for (const [key, d] of dirty) if (key.startsWith(`${u.key}/`) && !insideDirty(d, dirty, u.key)) covered -= d.end - d.pos;
        if (covered > text.length * MAX_DIRTY_SHARE) return { reason: "the edit affects most of the file" };
      }
    }
  }
  // A fix elsewhere that spans the edit (ESLint merges an import insertion and the edit at the site into one range,
  // with the text between copied in) must be computed again: its statement is linted again too.
  for (const p of basis.outcome.problems) {
    const fixes = [p.message.fix, ...(p.message.suggestions ?? []).map((x) => x.fix)];
    if (!fixes.some((f) => f && f.range[0] < oldEnd && f.range[1] > start)) continue;
    // The unit that reports it (a class member, not the whole class), found in the new text: the problem's old
    // offset shifted past the edit.
    const old = offsetOf(basis.lineStarts, p.message.line, p.message.column);
    const u = unitAt(statements, old < start ? old : old >= oldEnd ? old + delta : start);
    if (!u) return { reason: "a fix that spans the edit belongs to no statement" };
    dirty.set(u.key, u);
  }
  const units = [...dirty.values()].filter((u) => !insideDirty(u, dirty));
  let dirtyLength = 0;
  for (const u of units) {
    if (!isDeclarationStatement(statements[u.index]!)) return { reason: "a statement that depends on the edit is top-level code" };
    dirtyLength += u.end - u.pos;
  }
  if (dirtyLength > text.length * MAX_DIRTY_SHARE) return { reason: "the edit affects most of the file" };
  const dirtyIndexes = [...new Set(units.map((u) => u.index))].sort((a, b) => a - b);
  const dirtyRanges = units.map((u) => [u.pos, u.end] as const).sort((x, y) => x[0] - y[0]);

  // Kept statements: what the dirty ones (transitively) name stays declared in the slice, so the dirty code's names
  // resolve in ESLint's scope analysis as in the whole file. Their function bodies are blanked below: rules that
  // read a callee's body read the program's nodes, not the slice's.
  const declaredBy = new Map<string, number[]>();
  for (let i = 0; i < statements.length; i++) {
    for (const n of namesOf(statements[i]!)) {
      const list = declaredBy.get(n);
      if (list) list.push(i);
      else declaredBy.set(n, [i]);
    }
  }
  const kept = new Set<number>(dirtyIndexes);
  const queue = [...dirtyIndexes];
  while (queue.length > 0) {
    const s = statements[queue.pop()!]!;
    for (const match of text.slice(s.pos, s.end).matchAll(/[A-Za-z_$][\w$]*/g)) {
      for (const k of declaredBy.get(match[0]) ?? []) {
        if (!kept.has(k)) {
          kept.add(k);
          queue.push(k);
        }
      }
    }
  }

  // Positions after the changed unit are shifted by whole lines: nothing else may share its last line.
  const changedEndLine = sf.getLineAndCharacterOfPosition(changedUnit.end).line;
  if (!/^[ \t]*(?:\/\/[^\r\n]*)?(?:[\r\n]|$)/.test(text.slice(changedUnit.end))) {
    return { reason: "other code follows the edited statement on its last line" };
  }
  const oldLine = (offset: number): number => lineOf(basis.lineStarts, offset);
  const toOld = (offset: number): number => (offset >= newEnd ? offset - delta : offset);
  const lineDelta = changedEndLine - oldLine(toOld(changedUnit.end));

  // The slice: blank every statement the kept ones do not need, and every function body outside them. Imports stay
  // (a fix that adds one merges into what is there), and so does top-level code, whose declarations namesOf misses.
  const chars: string[] = [];
  let copied = 0;
  let directive = false;
  /** Blanks `[from, to)`; a region with a directive comment is kept instead when `keepDirective`, else it fails the plan. */
  const blank = (from: number, to: number, shape: "block" | "expression" | "statement", keepDirective = false): void => {
    const inner = shape === "block" ? [from + 1, to - 1] : [from, to];
    if (inner[1]! - inner[0]! < 2) return;
    const region = text.slice(inner[0], inner[1]);
    if (DIRECTIVE.test(region)) {
      if (keepDirective) return;
      directive = true;
    }
    chars.push(text.slice(copied, inner[0]));
    let out = spaces(region); // a flat string: joining char-by-char concatenations is slow
    if (shape === "expression") out = "[" + out.slice(1, -1) + "]"; // an empty array of the same extent
    chars.push(out);
    copied = inner[1]!;
  };
  // Function bodies outside the dirty units are blanked in kept statements too: the rules read callee bodies
  // through the program's nodes, never the slice's, and nothing in a body is in scope for the dirty code. (A kept
  // body with a directive comment stays: keeping is what the slice did before, and the directive keeps acting.)
  let inKept = false;
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && node.body) {
      if (inRanges(node.getStart(sf), dirtyRanges)) return; // linted: kept whole
      const body = node.body;
      blank(body.getStart(sf), body.end, ts.isBlock(body) ? "block" : "expression", inKept);
      return;
    }
    ts.forEachChild(node, visit);
  };
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i]!;
    // The statement's first token, from the basis (shifted past the edit): scanning JSDoc again for each is slow.
    const statementStart = oldStatements[i]!.start + (i > index ? delta : 0);
    inKept = kept.has(i);
    if (!inKept && isDeclarationStatement(statement) && !isModuleLink(statement)) blank(statementStart, statement.end, "statement");
    else visit(statement);
  }
  if (directive) return { reason: "a directive comment is in a function body the slice would leave out" };
  chars.push(text.slice(copied));
  const slice = chars.join("");
  if (slice.length !== text.length) return { reason: "internal: the slice does not keep the text's length" };

  return {
    slice,
    dirty: dirtyRanges,
    oldDirty: dirtyRanges.map(([from, to]) => [toOld(from), toOld(to)] as const),
    start,
    oldEnd,
    newEnd,
    delta,
    lineDelta,
    shiftAfterLine: oldLine(toOld(changedUnit.end)) + 1,
    changedFromLine: oldLine(changedUnit.node.getStart(sf)) + 1,
  };
}

/**
 * Whether the name at `offset` in `root` may refer to a declaration inside (or around: a constructor's class) one of
 * the `declaring` units. Yes unless the checker resolves it to declarations that are all elsewhere; a match that is no
 * identifier (a comment, a string) or that does not resolve (a property of `any`) keeps the conservative answer.
 */
function mayReferTo(root: ts.Node, offset: number, declaring: readonly Unit[], sf: ts.SourceFile, checker: ts.TypeChecker): boolean {
  let node: ts.Node | undefined = root;
  while (node && !ts.isIdentifier(node)) {
    const parent: ts.Node = node;
    node = ts.forEachChild(parent, (c) => (c.pos <= offset && offset < c.end ? c : undefined));
  }
  if (!node || node.getStart(sf) !== offset) return true;
  const symbol = valueSymbolOf(node, checker);
  if (!symbol) return true;
  const declarations = [...(symbol.declarations ?? [])];
  if (symbol.flags & ts.SymbolFlags.Alias) declarations.push(...(checker.getAliasedSymbol(symbol).declarations ?? []));
  if (declarations.length === 0) return true;
  return declarations.some((d) => d.getSourceFile() === sf && declaring.some((u) => (d.pos >= u.pos && d.end <= u.end) || (d.pos <= u.pos && d.end >= u.end)));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function inRanges(offset: number, ranges: readonly Range2[]): boolean {
  return ranges.some(([s, e]) => offset >= s && offset < e);
}

/** 0-based line of `offset`, given the line start offsets. */
function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function offsetOf(starts: readonly number[], line: number, column: number): number {
  const l = Math.min(Math.max(line - 1, 0), starts.length - 1);
  return starts[l]! + Math.max(column - 1, 0);
}

/**
 * The whole file's problems: the partial lint's inside the dirty statements, the basis's outside them (shifted past
 * the edit). A reason instead when a cached problem cannot be carried over exactly (the caller lints the whole file).
 */
export function mergePartial(basis: LintBasis, plan: PartialPlan, sf: ts.SourceFile, partial: LintOutcome): LintOutcome | NoPlan {
  if (partial.failure !== undefined) return { reason: `the partial lint failed (${partial.failure})` };
  const problems: LintProblem[] = [];
  for (const p of partial.problems) {
    if (inRanges(offsetOf(sf.getLineStarts(), p.message.line, p.message.column), plan.dirty)) problems.push(p);
  }
  const { shiftAfterLine, lineDelta, delta, oldEnd } = plan;
  const shiftLine = (line: number): number => (line > shiftAfterLine ? line + lineDelta : line);
  const shiftOffset = (offset: number): number => (offset >= oldEnd ? offset + delta : offset);
  const shiftFix = (fix: Linter.LintMessage["fix"]): Linter.LintMessage["fix"] | false => {
    if (!fix) return fix;
    const [s, e] = fix.range;
    if (s < oldEnd && e > plan.start) return false; // the fix touches the edited text
    return { ...fix, range: [shiftOffset(s), shiftOffset(e)] };
  };
  for (const p of basis.outcome.problems) {
    const m = p.message;
    const at = offsetOf(basis.lineStarts, m.line, m.column);
    if (inRanges(at, plan.oldDirty)) continue;
    if (m.line === shiftAfterLine || m.endLine === shiftAfterLine) return { reason: `a problem outside the edit shares its last line (${m.line})` };
    const fix = shiftFix(m.fix);
    if (fix === false) return { reason: `a fix outside the edit overlaps it (line ${m.line})` };
    const suggestions = m.suggestions?.map((s) => ({ ...s, fix: shiftFix(s.fix) }));
    if (suggestions?.some((s) => s.fix === false)) return { reason: `a suggestion outside the edit overlaps it (line ${m.line})` };
    const message: Linter.LintMessage = { ...m, line: shiftLine(m.line) };
    if (m.endLine !== undefined) message.endLine = shiftLine(m.endLine);
    if (fix) message.fix = fix;
    if (suggestions) message.suggestions = suggestions as Linter.LintSuggestion[];
    const related: RelatedNode[] = [];
    for (const r of p.related) {
      if (r.fileName !== undefined && r.fileName !== basis.fileName) {
        related.push(r);
        continue;
      }
      // Into the edited statement: its lines moved in a way a line shift cannot follow.
      if (r.loc.end.line >= plan.changedFromLine && r.loc.start.line <= shiftAfterLine) return { reason: `a problem outside the edit points into it (line ${m.line})` };
      related.push({
        ...r,
        loc: { start: { ...r.loc.start, line: shiftLine(r.loc.start.line) }, end: { ...r.loc.end, line: shiftLine(r.loc.end.line) } },
      });
    }
    problems.push({ message, related });
  }
  problems.sort((a, b) => a.message.line - b.message.line || a.message.column - b.message.column);
  return { problems };
}
