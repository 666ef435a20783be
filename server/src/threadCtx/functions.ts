/**
 * Which function a position belongs to, in the sense Thread ctx needs: a function that has a name its callers
 * use (a declaration, a method, an arrow or function expression bound to a variable or property). Anonymous
 * callbacks are looked through — they capture the enclosing function's new parameter.
 */
import ts from "typescript";

/** A function Thread ctx can give a parameter: the node that owns the parameter list and the name callers use. */
export interface FunctionUnit {
  /** The node with the parameters (and body, when it has one). */
  fn: ts.SignatureDeclaration;
  /** The identifier callers reference; `undefined` only for unnamed default exports. */
  nameNode: ts.Identifier | ts.PrivateIdentifier | ts.StringLiteral | undefined;
  /** The declaration that carries the name (the variable or property for a bound arrow). */
  holder: ts.Node;
  /** `loadUser`, `UserStore.load`, `api.load`. */
  displayName: string;
}

/** The innermost named function around `node` (looking through anonymous callbacks), or `undefined` at module level. */
export function enclosingUnit(node: ts.Node): FunctionUnit | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isFunctionLike(n)) {
      const unit = unitOf(n);
      if (unit) return unit;
    }
    if (ts.isClassStaticBlockDeclaration(n)) return undefined;
  }
  return undefined;
}

/** The unit a function-like node is, or `undefined` when it is an anonymous function used as a value. */
export function unitOf(fn: ts.SignatureDeclaration): FunctionUnit | undefined {
  if (ts.isFunctionDeclaration(fn)) {
    return { fn, nameNode: fn.name, holder: fn, displayName: fn.name?.text ?? "default" };
  }
  if (ts.isMethodDeclaration(fn) || ts.isMethodSignature(fn)) {
    if (!isSimpleName(fn.name)) return undefined;
    return { fn, nameNode: fn.name, holder: fn, displayName: qualified(fn, fn.name.text) };
  }
  if (ts.isConstructorDeclaration(fn) || ts.isAccessor(fn)) return undefined;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isFunctionTypeNode(fn)) {
    let outer: ts.Node = fn;
    while (ts.isParenthesizedExpression(outer.parent) || ts.isAsExpression(outer.parent) || ts.isSatisfiesExpression(outer.parent) || ts.isParenthesizedTypeNode(outer.parent)) {
      outer = outer.parent;
    }
    const holder = outer.parent;
    if (ts.isVariableDeclaration(holder) && holder.initializer === outer && ts.isIdentifier(holder.name)) {
      return { fn, nameNode: holder.name, holder, displayName: holder.name.text };
    }
    if ((ts.isPropertyAssignment(holder) && holder.initializer === outer) || (ts.isPropertyDeclaration(holder) && holder.initializer === outer)) {
      if (!isSimpleName(holder.name)) return undefined;
      return { fn, nameNode: holder.name, holder, displayName: qualified(holder, holder.name.text) };
    }
    if (ts.isPropertySignature(holder) && holder.type === outer && isSimpleName(holder.name)) {
      return { fn, nameNode: holder.name, holder, displayName: qualified(holder, holder.name.text) };
    }
    if (ts.isExportAssignment(holder)) return { fn, nameNode: undefined, holder, displayName: "default" };
  }
  return undefined;
}

function isSimpleName(name: ts.PropertyName): name is ts.Identifier | ts.PrivateIdentifier | ts.StringLiteral {
  return ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name);
}

/** `Owner.name` for members of named classes, interfaces and object literals bound to a variable. */
function qualified(member: ts.Node, name: string): string {
  const owner = member.parent;
  if ((ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) && owner.name) return `${owner.name.text}.${name}`;
  if (ts.isObjectLiteralExpression(owner) && ts.isVariableDeclaration(owner.parent) && ts.isIdentifier(owner.parent.name)) {
    return `${owner.parent.name.text}.${name}`;
  }
  return name;
}

/** The body whose calls belong to the unit (the implementation of a function; none for signatures). */
export function bodyOf(fn: ts.SignatureDeclaration): ts.Node | undefined {
  return (fn as ts.FunctionLikeDeclarationBase).body;
}

/** The deepest node whose span contains `position` (the token there, or the node that ends at it). */
export function nodeAt(sf: ts.SourceFile, position: number): ts.Node {
  let found: ts.Node = sf;
  const visit = (n: ts.Node): void => {
    if (position >= n.getStart(sf) && position < n.getEnd()) {
      found = n;
      ts.forEachChild(n, visit);
    }
  };
  ts.forEachChild(sf, visit);
  return found;
}

/** The node that spans exactly [start, start+length) — the identifier a reference entry points at. */
export function nodeAtSpan(sf: ts.SourceFile, start: number, length: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (start < n.pos || start >= n.end) return;
    // The deepest match wins: a shorthand property `{ f }` spans exactly its identifier.
    if (n.getStart(sf) === start && n.getEnd() === start + length) found = n;
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** `file.ts:3:7` for messages. */
export function where(node: ts.Node): string {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${baseName(sf.fileName)}:${line + 1}:${character + 1}`;
}

export function baseName(fileName: string): string {
  return fileName.replace(/\\/g, "/").replace(/^.*\//, "");
}
