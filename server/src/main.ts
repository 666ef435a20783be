/**
 * `ctxkit-language-server`: `node dist/server.js --stdio` (or `--node-ipc`, `--socket=<port>`, `--pipe=<name>`).
 * Over stdio the server reads the stream itself so that a message that is not JSON gets JSON-RPC's Parse error
 * (-32700, id null) instead of vanishing; other transports are read from the command line by `createConnection`.
 */
import { createConnection, ErrorCodes, StreamMessageReader, StreamMessageWriter, type Connection } from "vscode-languageserver/node";
import { bindConnection } from "./connection";

const transports = ["--stdio", "--node-ipc", "--socket=", "--pipe="];
if (!process.argv.some((a) => transports.some((t) => a.startsWith(t)))) {
  process.stderr.write("usage: ctxkit-language-server --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n");
  process.exit(2);
}

function stdioConnection(): Connection {
  const reader = new StreamMessageReader(process.stdin);
  const writer = new StreamMessageWriter(process.stdout);
  reader.onError((error) => {
    const message = `Parse error: ${error.message}`;
    void writer.write({ jsonrpc: "2.0", id: null, error: { code: ErrorCodes.ParseError, message } } as never).catch(() => undefined);
  });
  return createConnection(reader, writer);
}

const connection = process.argv.includes("--stdio") ? stdioConnection() : createConnection();
// Nothing may reach stdout outside the protocol, and nothing may end the process but `exit`.
console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(" "));
console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(" "));
console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(" "));
process.on("unhandledRejection", (reason) => connection.console.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
process.on("uncaughtException", (error) => connection.console.error(`uncaught exception: ${error.stack ?? error.message}`));

bindConnection(connection);
connection.listen();
