/**
 * The documents the editor has open, at the editor's versions. The language service reads open files from here
 * and everything else from disk.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import * as path from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { TextDocumentContentChangeEvent } from "vscode-languageserver";

/** A file URI to a normalised absolute path, or `undefined` for other schemes and malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (typeof uri !== "string" || !uri.startsWith("file:")) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(fileName: string): string {
  return pathToFileURL(fileName).href;
}

export interface OpenDocument {
  /** The URI exactly as the client sent it (used when talking back about the document). */
  uri: string;
  fileName: string;
  doc: TextDocument;
}

export class OpenDocuments {
  private readonly byPath = new Map<string, OpenDocument>();

  open(uri: string, fileName: string, languageId: string, version: number, text: string): OpenDocument {
    const entry = { uri, fileName, doc: TextDocument.create(uri, languageId, version, text) };
    this.byPath.set(fileName, entry);
    return entry;
  }

  /** Applies the client's changes; `undefined` when the document is not open. */
  change(fileName: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const entry = this.byPath.get(fileName);
    if (!entry) return undefined;
    entry.doc = TextDocument.update(entry.doc, changes, version);
    return entry;
  }

  close(fileName: string): OpenDocument | undefined {
    const entry = this.byPath.get(fileName);
    this.byPath.delete(fileName);
    return entry;
  }

  get(fileName: string): OpenDocument | undefined {
    return this.byPath.get(fileName);
  }

  all(): IterableIterator<OpenDocument> {
    return this.byPath.values();
  }

  get size(): number {
    return this.byPath.size;
  }
}
