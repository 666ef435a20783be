/**
 * Runs the plugin's rules through ESLint's `Linter`: flat config built from the settings, the typescript-eslint
 * parser given the language service's program (`parserOptions.programs`), no ESLint config file, no plugin from the
 * workspace. The rules are imported from the plugin's source, so the server and ESLint share one implementation.
 */
import * as tsParser from "@typescript-eslint/parser";
import type { Rule } from "eslint";
import { Linter } from "eslint/universal";
import ts from "typescript";
import plugin from "../../eslint-plugin/src/index";
import type { Range2 } from "./partialLint";
import { CtxkitSettings, type RuleSetting } from "./shared/settings";

/** A report's extra facts the `Linter` does not keep: captured from the rule's `context.report` descriptor. */
export interface RelatedNode {
  /** The `data` key that held it: `contextNode` is "the context in scope". */
  key: string;
  /** ESLint-style location: 1-based lines, 0-based columns. */
  loc: { start: { line: number; column: number }; end: { line: number; column: number } };
  /** The file it is in, when it is not the linted file (a TypeScript node from another file). */
  fileName?: string;
}

export interface LintProblem {
  message: Linter.LintMessage;
  related: RelatedNode[];
}

export interface LintOutcome {
  problems: LintProblem[];
  /** A parse failure or rule crash, reported once as a log line instead of diagnostics. */
  failure?: string;
}

export interface RuleInfo {
  name: string;
  id: string;
  docsUrl: string | undefined;
  recommended: boolean;
  fixable: boolean;
  hasSuggestions: boolean;
}

type AnyRule = (typeof plugin.rules)[string];

/** Every rule the server runs, with its metadata. */
export const RULES: ReadonlyMap<string, RuleInfo> = new Map(
  Object.entries(plugin.rules).map(([name, rule]) => {
    const docs = rule.meta.docs as { url?: string; recommended?: boolean } | undefined;
    return [
      name,
      {
        name,
        id: `ctxkit/${name}`,
        docsUrl: docs?.url,
        recommended: docs?.recommended === true,
        fixable: rule.meta.fixable !== undefined,
        hasSuggestions: rule.meta.hasSuggestions === true,
      },
    ];
  }),
);

interface ReportRecord {
  ruleId: string;
  line: number;
  column: number;
  messageId: string | undefined;
  related: RelatedNode[];
}

/** Where wrapped rules put their report descriptors during one synchronous `verify`. */
let reportSink: ReportRecord[] | undefined;

function isLoc(value: unknown): value is RelatedNode["loc"] {
  const loc = value as RelatedNode["loc"] | undefined;
  return typeof loc === "object" && loc !== null && typeof loc.start?.line === "number" && typeof loc.end?.line === "number";
}

function isTsNode(value: unknown): value is ts.Node {
  const v = value as ts.Node | null;
  return typeof v === "object" && v !== null && typeof v.kind === "number" && typeof v.getSourceFile === "function" && typeof v.pos === "number";
}

/**
 * The nodes a report names in its `data`: an ESTree node, an ESLint `SourceLocation`, or a TypeScript node (which may
 * be in another file). The convention for rules: `data.contextNode` is the context in scope.
 */
function relatedOf(data: unknown): RelatedNode[] {
  if (typeof data !== "object" || data === null) return [];
  const out: RelatedNode[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const loc = (value as { loc?: unknown } | null)?.loc;
    if (isLoc(loc)) out.push({ key, loc });
    else if (isLoc(value)) out.push({ key, loc: value });
    else if (isTsNode(value)) {
      const sf = value.getSourceFile();
      if (!sf) continue;
      const start = sf.getLineAndCharacterOfPosition(value.getStart(sf));
      const end = sf.getLineAndCharacterOfPosition(value.getEnd());
      out.push({ key, fileName: sf.fileName, loc: { start: { line: start.line + 1, column: start.character }, end: { line: end.line + 1, column: end.character } } });
    }
  }
  return out;
}

/**
 * Wraps a rule so its report descriptors are seen: the `Linter` keeps only the text of a message, and the server also
 * wants the nodes a rule names in `data` (related information). The rule itself runs unchanged.
 */
function observed(id: string, rule: AnyRule): Rule.RuleModule {
  const inner = rule as unknown as Rule.RuleModule;
  return {
    ...inner,
    create(context) {
      const report = (descriptor: Rule.ReportDescriptor): void => {
        const d = descriptor as Rule.ReportDescriptor & { node?: { loc?: unknown }; loc?: unknown; messageId?: string; data?: unknown };
        const loc = isLoc(d.loc) ? d.loc : isLoc(d.node?.loc) ? d.node.loc : undefined;
        const where = loc ? loc.start : (d.loc as { line: number; column: number } | undefined);
        const related = relatedOf(d.data);
        if (reportSink && where && related.length > 0) {
          reportSink.push({ ruleId: id, line: where.line, column: where.column, messageId: d.messageId, related });
        }
        context.report(descriptor);
      };
      const proxy = Object.create(context, { report: { value: report } }) as Rule.RuleContext;
      const listeners = inner.create(proxy);
      return currentPartial ? onlyDirty(listeners, currentPartial.dirty) : listeners;
    },
  };
}

/** An ESTree node among a listener's arguments (code-path listeners pass it after the path or segment). */
function nodeArgument(args: unknown[]): { range: [number, number] } | undefined {
  for (const a of args) {
    const n = a as { type?: unknown; range?: unknown } | null;
    if (typeof n === "object" && n !== null && typeof n.type === "string" && Array.isArray(n.range)) return n as { range: [number, number] };
  }
  return undefined;
}

/** A partial lint runs each listener only for nodes that overlap a dirty statement (and for those that hold one). */
function onlyDirty(listeners: Rule.RuleListener, dirty: readonly Range2[]): Rule.RuleListener {
  const out: Record<string, (...args: unknown[]) => void> = {};
  for (const [key, listener] of Object.entries(listeners)) {
    if (typeof listener !== "function") continue;
    const fn = listener as (...args: unknown[]) => void;
    out[key] = (...args: unknown[]) => {
      const node = nodeArgument(args);
      if (node && !dirty.some(([s, e]) => node.range[0] < e && node.range[1] > s)) return;
      fn(...args);
    };
  }
  return out as Rule.RuleListener;
}

function observedPluginOf(rules: Record<string, AnyRule>): { meta: typeof plugin.meta; rules: Record<string, Rule.RuleModule> } {
  return { meta: plugin.meta, rules: Object.fromEntries(Object.entries(rules).map(([name, rule]) => [name, observed(`ctxkit/${name}`, rule)])) };
}

const observedPlugin = observedPluginOf(plugin.rules);

const FILES = ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts", "**/*.js", "**/*.jsx", "**/*.mjs", "**/*.cjs"];

/** The program of the file being linted: the parser wrapper reads it, so one config serves every program. */
let currentProgram: ts.Program | undefined;

/** During a partial lint (./partialLint.ts): the slice being linted and its dirty statements. */
let currentPartial: { slice: string; dirty: readonly Range2[] } | undefined;

const programParser: Linter.Parser = {
  meta: { name: "ctxkit-language-server/program-parser" },
  parseForESLint(code: string, options?: Record<string, unknown>) {
    if (currentPartial && currentProgram && code === currentPartial.slice) return parseSlice(code, options, currentProgram);
    return tsParser.parseForESLint(code, { ...options, programs: currentProgram ? [currentProgram] : null, project: undefined });
  },
} as Linter.Parser;

/**
 * Parses a slice (the file's text with bodies blanked, same length) as if it were the program's file: the parser
 * converts the slice's own syntax tree, and the services then answer for the program's node at the same position.
 */
function parseSlice(code: string, options: Record<string, unknown> | undefined, program: ts.Program): ReturnType<typeof tsParser.parseForESLint> {
  const filename = String(options?.filePath ?? "");
  const real = program.getSourceFile(filename);
  if (!real) throw new Error(`partial lint: ${filename} is not in the program`);
  const kind = /\.[mc]?tsx$/.test(real.fileName) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  // No JSDoc: the slice's tree only becomes ESTree (comments come from the text), and the rules' JSDoc questions go to
  // the program's file.
  const slice = ts.createSourceFile(real.fileName, code, { languageVersion: real.languageVersion, impliedNodeFormat: real.impliedNodeFormat, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, kind);
  // The parser takes the file from the program: this view of it hands out the slice for that one file.
  const view = new Proxy(program, {
    get(target, key, receiver) {
      if (key === "getSourceFile") {
        return (f: string) => {
          const sf = target.getSourceFile(f);
          return sf === real ? slice : sf;
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const result = tsParser.parseForESLint(code, { ...options, programs: [view], project: undefined });
  result.services = sliceServices(result.services, program, real, slice);
  return result;
}

type Services = ReturnType<typeof tsParser.parseForESLint>["services"];

/** Parser services over `program` for an ESTree converted from `slice`: nodes correspond by parent, end and kind. */
function sliceServices(services: Services, program: ts.Program, real: ts.SourceFile, slice: ts.SourceFile): Services {
  const toReal = new Map<ts.Node, ts.Node | undefined>([[slice, real]]);
  const toSlice = new Map<ts.Node, ts.Node | undefined>([[real, slice]]);
  const counterpart = (node: ts.Node, map: Map<ts.Node, ts.Node | undefined>): ts.Node | undefined => {
    if (map.has(node)) return map.get(node);
    const parent = node.parent ? counterpart(node.parent, map) : undefined;
    let found: ts.Node | undefined;
    if (parent) {
      ts.forEachChild(parent, (child) => {
        // Not by `pos`: a blanked statement before a node widens its leading trivia. Siblings of one kind share an
        // end only when empty, and then `pos` tells them apart.
        if (child.end !== node.end || child.kind !== node.kind) return undefined;
        if (child.pos !== node.pos && (child.pos === child.end || node.pos === node.end)) return undefined;
        found = child;
        return true;
      });
    }
    map.set(node, found);
    return found;
  };
  const esToTs = services.esTreeNodeToTSNodeMap;
  const tsToEs = services.tsNodeToESTreeNodeMap;
  const realOf = (es: Parameters<typeof esToTs.get>[0]): ts.Node => {
    const own = esToTs.get(es);
    const node = own && counterpart(own, toReal);
    if (!node) throw new Error(`partial lint: no program node for ${es.type} at ${es.range[0]}`);
    return node;
  };
  const esTreeNodeToTSNodeMap = { get: realOf, has: (es: Parameters<typeof esToTs.get>[0]) => esToTs.has(es) } as unknown as typeof esToTs;
  const tsNodeToESTreeNodeMap = {
    get: (node: ts.Node) => {
      const own = node.getSourceFile() === real ? counterpart(node, toSlice) : undefined;
      return own && tsToEs.get(own as never);
    },
    has: (node: ts.Node) => {
      const own = node.getSourceFile() === real ? counterpart(node, toSlice) : undefined;
      return own !== undefined && tsToEs.has(own as never);
    },
  } as unknown as typeof tsToEs;
  const checker = program.getTypeChecker();
  const options = program.getCompilerOptions();
  return {
    program,
    emitDecoratorMetadata: options.emitDecoratorMetadata ?? false,
    experimentalDecorators: options.experimentalDecorators ?? false,
    isolatedDeclarations: options.isolatedDeclarations ?? false,
    esTreeNodeToTSNodeMap,
    tsNodeToESTreeNodeMap,
    getContextualType: (node) => checker.getContextualType(realOf(node) as ts.Expression),
    getResolvedSignature: (node) => checker.getResolvedSignature(realOf(node) as ts.CallLikeExpression),
    getSymbolAtLocation: (node) => checker.getSymbolAtLocation(realOf(node)),
    getTypeAtLocation: (node) => checker.getTypeAtLocation(realOf(node)),
    getTypeFromTypeNode: (node) => checker.getTypeFromTypeNode(realOf(node) as ts.TypeNode),
    getTypeOfSymbolAtLocation: (symbol, node) => checker.getTypeOfSymbolAtLocation(symbol, realOf(node)),
  } as Services;
}

/** The rule entries the settings ask for, plus one sentence per setting that could not be used. */
export function rulesFromSettings(settings: CtxkitSettings): { rules: Linter.RulesRecord; problems: string[] } {
  const problems: string[] = [];
  for (const name of Object.keys(settings.rules)) {
    if (!RULES.has(name)) problems.push(`ctxkit.rules: there is no rule "${name}"; the rules are ${[...RULES.keys()].join(", ")}.`);
  }
  const rules: Linter.RulesRecord = {};
  const probe = new Linter({ cwd: "/" });
  for (const info of RULES.values()) {
    const fallback: RuleSetting = info.recommended ? "warn" : "off";
    const wanted = settings.rules[info.name] ?? fallback;
    const entry = toEntry(wanted, settings);
    const error = optionError(probe, info.id, entry);
    if (error === undefined) {
      rules[info.id] = entry;
    } else {
      problems.push(`ctxkit.rules["${info.name}"] has invalid options (${error}); using the rule's default options.`);
      rules[info.id] = toEntry(Array.isArray(wanted) ? wanted[0] : wanted, settings);
    }
  }
  return { rules, problems };
}

function toEntry(setting: RuleSetting, settings: CtxkitSettings): Linter.RuleEntry {
  const [severity, options] = Array.isArray(setting) ? setting : [setting, undefined];
  if (severity === "off") return "off";
  const merged = { ...(settings.contextTypes ? { contextTypes: settings.contextTypes } : {}), ...options };
  return Object.keys(merged).length > 0 ? [severity, merged] : severity;
}

/** Validates one rule entry against the rule's schema (ESLint checks options before it runs anything). */
function optionError(probe: Linter, id: string, entry: Linter.RuleEntry): string | undefined {
  if (entry === "off") return undefined;
  try {
    probe.verify("", [{ files: ["**/*.js"], plugins: { ctxkit: observedPlugin }, rules: { [id]: entry } }], { filename: "/probe.js" });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.startsWith('Key "rules"')) return message.split("\n").slice(1).map((l) => l.trim()).filter(Boolean).join(" ");
  }
  return undefined;
}

/** One `Linter` with the flat config for one generation of settings. */
export class LintEngine {
  private readonly linter = new Linter({ cwd: "/" });
  private readonly config: Linter.Config[];

  /** `pluginRules` replaces the plugin's rules (tests run a rule of their own the same way). */
  constructor(
    readonly rules: Linter.RulesRecord,
    pluginRules?: Record<string, AnyRule>,
  ) {
    this.config = [
      {
        files: FILES,
        languageOptions: { parser: programParser, sourceType: "module", parserOptions: { ecmaVersion: "latest" } },
        linterOptions: { reportUnusedDisableDirectives: "off" },
        plugins: { ctxkit: pluginRules ? observedPluginOf(pluginRules) : observedPlugin },
        rules,
      },
    ];
  }

  get anyRuleOn(): boolean {
    return Object.values(this.rules).some((r) => r !== "off" && r !== 0 && !(Array.isArray(r) && (r[0] === "off" || r[0] === 0)));
  }

  /**
   * Lints `text`, which must be the text of `fileName` in `program`. Never throws. With `partial`, lints the slice
   * instead and runs the rules only on its dirty statements (./partialLint.ts); problems elsewhere are not reported.
   */
  lint(program: ts.Program, fileName: string, text: string, partial?: { slice: string; dirty: readonly Range2[] }): LintOutcome {
    const sink: ReportRecord[] = [];
    currentProgram = program;
    currentPartial = partial;
    reportSink = sink;
    let messages: Linter.LintMessage[];
    try {
      messages = this.linter.verify(partial ? partial.slice : text, this.config, { filename: fileName });
    } catch (e) {
      return { problems: [], failure: e instanceof Error ? e.message : String(e) };
    } finally {
      currentProgram = undefined;
      currentPartial = undefined;
      reportSink = undefined;
    }
    const problems: LintProblem[] = [];
    let failure: string | undefined;
    for (const message of messages) {
      if (!message.ruleId) {
        // A fatal parse error: TypeScript's own diagnostics show it, so it is not repeated as a ctxkit problem.
        if (message.fatal) failure = message.message;
        continue;
      }
      const i = sink.findIndex(
        (r) => r.ruleId === message.ruleId && r.line === message.line && r.column + 1 === message.column && (r.messageId === undefined || r.messageId === message.messageId),
      );
      const related = i >= 0 ? sink.splice(i, 1)[0]!.related : [];
      problems.push({ message, related });
    }
    return failure === undefined ? { problems } : { problems, failure };
  }
}
