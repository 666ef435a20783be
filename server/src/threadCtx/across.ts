/**
 * Thread ctx across a workspace of several TypeScript projects (one language service per tsconfig).
 *
 * A caller in another project reaches the target only through an import that puts the target's file into that
 * project's program, so the engine runs in every project whose program has the target's file as a source file,
 * and the edits are merged: one change list per file, an edit that two projects both computed (a file in both
 * programs) taken once. When the projects disagree about a file (different edits at one place, or overlapping
 * ones) or about the target, or when any project refuses, the whole action is refused with that reason: nothing
 * is ever half-applied.
 */
import type ts from "typescript";
import { computeThreadCtx } from "./engine";
import { baseName } from "./functions";
import type { Outcome, ThreadCtxEdit, ThreadCtxOptions } from "./types";

/** A language service with a name to speak of it in a refusal (its tsconfig). */
export interface NamedService {
  name: string;
  service: ts.LanguageService;
}

/** The merged edit, with the program of every project that took part (to convert offsets of its files). */
export interface AcrossEdit {
  edit: ThreadCtxEdit;
  programs: ts.Program[];
}

/**
 * `computeThreadCtx` in `primary` and in every other project whose program holds `fileName`, merged. `primary`
 * is the project the target file belongs to; `others` may include it again (it is skipped).
 */
export function computeThreadCtxAcross(
  primary: NamedService,
  others: readonly NamedService[],
  fileName: string,
  position: number,
  options: ThreadCtxOptions = {},
): Outcome<AcrossEdit> {
  const first = computeThreadCtx(primary.service, fileName, position, options);
  if (!first.ok) return first;
  const programs = [primary.service.getProgram()!];
  const results: { name: string; edit: ThreadCtxEdit }[] = [{ name: primary.name, edit: first.edit }];
  for (const other of others) {
    if (other.service === primary.service) continue;
    const program = other.service.getProgram();
    const sf = program?.getSourceFile(fileName);
    if (!program || !sf || sf.isDeclarationFile) continue;
    const result = computeThreadCtx(other.service, fileName, position, options);
    if (!result.ok) return { ok: false, reason: `In the project of ${other.name}: ${result.reason}` };
    const a = first.edit.target;
    const b = result.edit.target;
    if (a.name !== b.name || a.form !== b.form || a.namePosition !== b.namePosition) {
      return { ok: false, reason: `The projects of ${primary.name} and ${other.name} see ${a.name} differently (${a.form} / ${b.form}); nothing was changed.` };
    }
    programs.push(program);
    results.push({ name: other.name, edit: result.edit });
  }
  if (results.length === 1) return { ok: true, edit: first.edit, programs };
  const merged = mergeEdits(results);
  return merged.ok ? { ok: true, edit: merged.edit, programs } : merged;
}

/** One change list per file; an identical edit from several projects once; a conflict refuses. */
function mergeEdits(results: readonly { name: string; edit: ThreadCtxEdit }[]): Outcome<{ edit: ThreadCtxEdit }> {
  const byFile = new Map<string, { change: ts.TextChange; from: Set<string> }[]>();
  for (const { name, edit } of results) {
    for (const fileChanges of edit.changes) {
      let list = byFile.get(fileChanges.fileName);
      if (!list) byFile.set(fileChanges.fileName, (list = []));
      for (const change of fileChanges.textChanges) {
        const known = list.find((x) => same(x.change, change));
        if (known) known.from.add(name);
        else list.push({ change, from: new Set([name]) });
      }
    }
  }
  const changes: ts.FileTextChanges[] = [];
  for (const [fileName, list] of byFile) {
    // A stable sort keeps the engine's order of insertions at one offset (imports before a new JSDoc).
    list.sort((x, y) => x.change.span.start - y.change.span.start);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      const prevEnd = prev.change.span.start + prev.change.span.length;
      // Two insertions at one offset are fine when one project computed both (it ordered them); from two
      // projects alone, they are two answers to one question.
      const together = [...cur.from].some((n) => prev.from.has(n));
      const clash = cur.change.span.start < prevEnd || (cur.change.span.start === prev.change.span.start && !together);
      if (clash) {
        return {
          ok: false,
          reason: `The projects of ${[...prev.from][0]} and ${[...cur.from][0]} compute different edits for ${baseName(fileName)} (a caller threaded in one project is a boundary in the other?); nothing was changed.`,
        };
      }
    }
    changes.push({ fileName, textChanges: list.map((x) => x.change) });
  }
  const base = results[0]!.edit;
  const threaded = [...new Set(results.flatMap((r) => r.edit.threaded))];
  const boundaries: ThreadCtxEdit["boundaries"] = [];
  for (const b of results.flatMap((r) => r.edit.boundaries)) {
    if (!threaded.includes(b.name) && !boundaries.some((x) => x.name === b.name)) boundaries.push(b);
  }
  return { ok: true, edit: { target: base.target, changes, threaded, boundaries } };
}

function same(a: ts.TextChange, b: ts.TextChange): boolean {
  return a.span.start === b.span.start && a.span.length === b.span.length && a.newText === b.newText;
}
