/**
 * A raw JSON-RPC client over a real child process's stdio (Content-Length framing), for the round-trip tests and
 * the benchmark. No LSP library on this side: what is checked is what goes over the wire.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";

export const SERVER_JS = path.join(__dirname, "..", "..", "dist", "server.js");

export interface RpcMessage {
  jsonrpc: "2.0";
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export class LspProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly notifications: RpcMessage[] = [];
  readonly stderr: string[] = [];
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number | string, (m: RpcMessage) => void>();
  private readonly waiters: { test: (m: RpcMessage) => boolean; resolve: (m: RpcMessage) => void }[] = [];
  /** Answers to server → client requests, by method (default: null). */
  readonly answers = new Map<string, (params: unknown) => unknown>();
  readonly serverRequests: RpcMessage[] = [];
  exited: Promise<number | null>;

  constructor(args: string[] = ["--stdio"], serverJs = SERVER_JS) {
    this.child = spawn(process.execPath, [serverJs, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString("ascii");
      const match = /Content-Length: (\d+)/i.exec(header);
      if (!match) throw new Error(`bad header from server: ${header}`);
      const length = Number(match[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as RpcMessage);
    }
  }

  private dispatch(message: RpcMessage): void {
    if (message.method !== undefined && message.id !== undefined && message.id !== null) {
      this.serverRequests.push(message);
      const answer = this.answers.get(message.method);
      this.send({ jsonrpc: "2.0", id: message.id, result: answer ? answer(message.params) : null });
    } else if (message.method !== undefined) {
      this.notifications.push(message);
    } else if (message.id !== undefined && message.id !== null && this.pending.has(message.id)) {
      const resolve = this.pending.get(message.id)!;
      this.pending.delete(message.id);
      resolve(message);
    } else {
      this.notifications.push(message); // an error response without id (e.g. a parse error)
    }
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.test(message)) this.waiters.splice(i, 1)[0]!.resolve(message);
    }
  }

  send(message: RpcMessage | Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(message));
  }

  sendRaw(body: string): void {
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n${body}`);
  }

  /** Sends a request; resolves with the whole response message (result or error). */
  request(method: string, params?: unknown): { id: number; response: Promise<RpcMessage> } {
    const id = this.nextId++;
    const response = new Promise<RpcMessage>((resolve) => this.pending.set(id, resolve));
    this.send({ jsonrpc: "2.0", id, method, params });
    return { id, response };
  }

  async call<T = unknown>(method: string, params?: unknown): Promise<T> {
    const message = await this.request(method, params).response;
    if (message.error) throw new Error(`${method}: ${message.error.code} ${message.error.message}`);
    return message.result as T;
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  /** The next message (already received or not) that passes `test`. */
  waitFor(test: (m: RpcMessage) => boolean, timeoutMs = 15000, what = "a message"): Promise<RpcMessage> {
    const seen = this.notifications.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr.join("")}`)), timeoutMs);
      this.waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    try {
      await Promise.race([this.call("shutdown"), new Promise((r) => setTimeout(r, 2000))]);
      this.notify("exit");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
