/**
 * Control flow for rules that ask "is X done on every path to a return?" (require-cancel, Go vet's lostcancel).
 *
 * Built on ESLint's code path analysis, so if/else, switch, loops, labeled breaks, try/catch/finally and
 * short-circuit operators are modelled the way ESLint models them. A {@link PathRecorder} remembers where in
 * the code path each node it is asked about sits (its segments, and its order inside them); a rule turns the
 * nodes it cares about into {@link PathEvent}s and asks {@link findPathWithout} for a path from a start point
 * to a return of the function that meets no blocking event.
 *
 * What ends a path:
 * - a `return` (explicit, or falling off the end): the path "reaches a return" — the question the rules ask;
 * - a `throw` that leaves the function: a thrown end is not a return, as in lostcancel, where a `panic` is not a
 *   return either. ESLint also lets anything inside a `try` throw into its `catch`/`finally`; an exception
 *   that a `catch` turns into a `return` is a path to that return;
 * - an event the rule calls blocking (a use of the variable, a call that returns `never`).
 *
 * Positions inside a segment are ordered by the traversal: a node's point is taken when the rule marks it, so
 * rules mark a `return` or a call on exit (after its operands) and identifiers on entry.
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";

type CodePath = TSESLint.CodePath;
type Segment = TSESLint.CodePathSegment;

/** Where a node sits in its function's code path: the segments current at that point, and the traversal order. */
export interface PathPoint {
  /** Parallel segments (a `finally` block is traversed once but lies on several paths). Empty when unreachable. */
  readonly segments: readonly Segment[];
  readonly seq: number;
  /** The code path (function, class field initializer, static block or program) the point belongs to. */
  readonly codePath: CodePath;
}

/**
 * One thing that happens at a point of the code path.
 * - `block`: the path is satisfied here (a use of the variable, a call that never returns);
 * - `maybe-block`: asks `blocks()` lazily (a type query only for the events a search actually reaches);
 * - `return`: a `return` statement; the path continues (through `finally`) to the function's returned end.
 */
export type PathEvent =
  | { kind: "block"; point: PathPoint; node: TSESTree.Node }
  | { kind: "maybe-block"; point: PathPoint; node: TSESTree.Node; blocks: () => boolean }
  | { kind: "return"; point: PathPoint; node: TSESTree.ReturnStatement };

/** A path that reached a return: the `return` statement it went through, or `undefined` for the implicit end. */
export interface LeakingPath {
  returnStatement: TSESTree.ReturnStatement | undefined;
}

type Listener = (...args: never[]) => void;

/**
 * Follows ESLint's code path events and records points for nodes. One per rule invocation (`create`); merge
 * {@link listeners} into the rule's listeners. `onEnd` is called when a code path ends, with every segment of
 * it complete — the moment to search it.
 */
export class PathRecorder {
  private readonly points = new WeakMap<TSESTree.Node, PathPoint>();
  private readonly nodes = new Map<CodePath, TSESTree.Node>();
  private readonly stack: { codePath: CodePath; segments: Segment[]; snapshot: readonly Segment[] | undefined }[] = [];
  private seq = 0;
  /** ESLint's code path listeners; spread them into the object `create` returns. */
  readonly listeners: Record<string, Listener>;

  constructor(onEnd: (codePath: CodePath, node: TSESTree.Node) => void) {
    const enter = (segment: Segment): void => {
      const frame = this.stack[this.stack.length - 1];
      if (!frame) return;
      frame.segments.push(segment);
      frame.snapshot = undefined;
    };
    const leave = (segment: Segment): void => {
      const frame = this.stack[this.stack.length - 1];
      if (!frame) return;
      const i = frame.segments.lastIndexOf(segment);
      if (i >= 0) frame.segments.splice(i, 1);
      frame.snapshot = undefined;
    };
    const listeners = {
      onCodePathStart: (codePath: CodePath, node: TSESTree.Node): void => {
        // A nested function's node sits at the point where the outer path creates it (a closure is a use there).
        if (this.stack.length > 0) this.mark(node);
        this.nodes.set(codePath, node);
        this.stack.push({ codePath, segments: [], snapshot: undefined });
      },
      onCodePathEnd: (codePath: CodePath, node: TSESTree.Node): void => {
        this.stack.pop();
        onEnd(codePath, node);
      },
      onCodePathSegmentStart: (segment: Segment): void => enter(segment),
      onCodePathSegmentEnd: (segment: Segment): void => leave(segment),
      // Unreachable segments are entered and left too; a point in one has no reachable segment.
      onUnreachableCodePathSegmentStart: (segment: Segment): void => enter(segment),
      onUnreachableCodePathSegmentEnd: (segment: Segment): void => leave(segment),
    };
    this.listeners = listeners as unknown as Record<string, Listener>;
  }

  /** The node that starts `codePath`: a function, a class field initializer, a static block, or the program. */
  nodeOf(codePath: CodePath): TSESTree.Node | undefined {
    return this.nodes.get(codePath);
  }

  /** Records the current point for `node` (call it from the node's enter or exit listener). */
  mark(node: TSESTree.Node): void {
    const frame = this.stack[this.stack.length - 1];
    if (!frame) return;
    // Copy-on-write snapshot: consecutive nodes in one segment share the array (this runs for every identifier).
    frame.snapshot ??= frame.segments.filter((s) => s.reachable);
    this.points.set(node, { segments: frame.snapshot, seq: this.seq++, codePath: frame.codePath });
  }

  pointOf(node: TSESTree.Node): PathPoint | undefined {
    return this.points.get(node);
  }
}

/**
 * A path from `start` to a return of `codePath` on which no event blocks, or `undefined` when every such path is
 * blocked (or ends in a throw). Events of other code paths are ignored: map a use inside a closure to the
 * closure's own point before passing it in. `implicitEnd: false` says the end of the function cannot be reached
 * by falling off it (the type checker knows better than the syntax, e.g. after an exhaustive `switch`): only
 * paths through a `return` count then.
 */
export function findPathWithout(
  codePath: CodePath,
  start: PathPoint,
  events: readonly PathEvent[],
  { implicitEnd = true }: { implicitEnd?: boolean } = {},
): LeakingPath | undefined {
  const bySegment = new Map<Segment, PathEvent[]>();
  for (const e of events) {
    if (e.point.codePath !== codePath) continue;
    for (const s of e.point.segments) {
      let list = bySegment.get(s);
      if (!list) bySegment.set(s, (list = []));
      list.push(e);
    }
  }
  for (const list of bySegment.values()) list.sort((a, b) => a.point.seq - b.point.seq);
  const returned = new Set(codePath.returnedSegments);
  const thrown = new Set(codePath.thrownSegments);
  const blockMemo = new Map<PathEvent, boolean>();
  const blocks = (e: PathEvent): boolean => {
    if (e.kind === "block") return true;
    if (e.kind === "return") return false;
    let b = blockMemo.get(e);
    if (b === undefined) blockMemo.set(e, (b = e.blocks()));
    return b;
  };

  /** Scans one segment after `fromSeq`: `blocked`, or the return met (null when none). */
  const scan = (segment: Segment, fromSeq: number): { blocked: true } | { blocked: false; ret: TSESTree.ReturnStatement | null } => {
    let ret: TSESTree.ReturnStatement | null = null;
    for (const e of bySegment.get(segment) ?? []) {
      if (e.point.seq <= fromSeq) continue;
      if (e.kind === "return") {
        ret = e.node;
        break; // nothing after a return runs in this segment
      }
      if (blocks(e)) return { blocked: true };
    }
    return { blocked: false, ret };
  };

  const seen = new Set<Segment>();
  const seenAfterReturn = new Set<Segment>();
  // Iterative depth-first search; each work item carries the last return passed (for the report).
  const work: { segment: Segment; fromSeq: number; ret: TSESTree.ReturnStatement | null }[] = [];
  for (const s of start.segments) work.push({ segment: s, fromSeq: start.seq, ret: null });
  while (work.length > 0) {
    const item = work.pop()!;
    if (item.fromSeq < 0) {
      // Whether a return was passed matters at the abrupt end of a `finally`, so it is part of the state.
      const seenSet = item.ret ? seenAfterReturn : seen;
      if (seenSet.has(item.segment)) continue;
      seenSet.add(item.segment);
    }
    const r = scan(item.segment, item.fromSeq);
    if (r.blocked) continue;
    const ret = r.ret ?? item.ret;
    // The abrupt path out of a `finally` is one segment for both returns and exceptions (ESLint also routes
    // "anything in the try may throw" there): it is a return only when the path went through a `return`.
    if (returned.has(item.segment) && (ret !== null || (implicitEnd && !thrown.has(item.segment)))) return { returnStatement: ret ?? undefined };
    for (const next of item.segment.nextSegments) work.push({ segment: next, fromSeq: -1, ret });
  }
  return undefined;
}
