/**
 * What the status bar item says: the client's view of the server (starting, running, stopped, error)
 * merged with what the server last reported through `ctxkit/status`. Plain logic, no vscode import, so
 * the unit tests drive it directly; extension.ts copies the result onto the status bar item.
 */
import type { StatusParams } from "../../server/src/shared/status";

export type ClientState = "starting" | "running" | "stopped" | "disabled" | "error";

export interface StatusInput {
  client: ClientState;
  /** Why the client is stopped or in error (e.g. the server crashed too often). */
  clientMessage?: string;
  /** The last `ctxkit/status` the server sent since it (re)started. */
  server?: StatusParams;
}

export interface StatusView {
  text: string;
  tooltip: string;
  /** The status bar background to use: none, or the theme's warning or error colour. */
  tone: "normal" | "warning" | "error";
}

/** What a screen reader says for the item: the text without icons, and the tooltip's first line. */
export function accessibleLabel(view: StatusView): string {
  return `${view.text.replace(/\$\([^)]*\)\s*/g, "")} — ${view.tooltip.split("\n")[0]}`;
}

/** `16:05:09` in local time, as a status bar has room for. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "?";
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function fileName(uri: string): string {
  const slash = uri.lastIndexOf("/");
  return decodeURIComponent(slash >= 0 ? uri.slice(slash + 1) : uri);
}

export function renderStatus(input: StatusInput): StatusView {
  const lines: string[] = [];
  const validation = input.server?.lastValidation;
  if (validation) {
    lines.push(`Last validation: ${fileName(validation.uri)} at ${clockTime(validation.at)} ` +
      `(${validation.durationMs} ms, ${validation.diagnostics} diagnostic${validation.diagnostics === 1 ? "" : "s"})`);
  }
  const footer = "Click to show the ctxkit output.";
  switch (input.client) {
    case "starting":
      return { text: "$(sync~spin) ctxkit: starting", tooltip: ["ctxkit language server: starting", footer].join("\n"), tone: "normal" };
    case "disabled":
      return { text: "$(circle-slash) ctxkit: disabled", tooltip: ["ctxkit is disabled (setting ctxkit.enable).", footer].join("\n"), tone: "normal" };
    case "stopped":
    case "error": {
      const what = input.client === "error" ? "error" : "stopped";
      const head = `ctxkit language server: ${what}${input.clientMessage ? ` — ${input.clientMessage}` : ""}`;
      return {
        text: `$(${input.client === "error" ? "error" : "debug-stop"}) ctxkit: ${what}`,
        tooltip: [head, ...lines, footer].join("\n"),
        tone: input.client === "error" ? "error" : "warning",
      };
    }
    case "running": {
      const server = input.server;
      const when = validation ? clockTime(validation.at) : "running";
      if (server?.state === "error" || server?.state === "warning") {
        const icon = server.state === "error" ? "$(error)" : "$(warning)";
        return {
          text: `${icon} ctxkit: ${server.state === "error" ? "error" : when}`,
          tooltip: [`ctxkit: ${server.message ?? server.state}`, ...lines, footer].join("\n"),
          tone: server.state,
        };
      }
      return { text: `$(check) ctxkit: ${when}`, tooltip: ["ctxkit language server: running", ...lines, footer].join("\n"), tone: "normal" };
    }
  }
}
