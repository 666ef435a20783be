import assert from "node:assert/strict";
import { accessibleLabel, clockTime, renderStatus } from "../../extension/src/statusView";

describe("extension: status bar view", () => {
  const at = new Date(2026, 0, 2, 9, 5, 7).toISOString();
  const lastValidation = { uri: "file:///w/src/service%20a.ts", at, durationMs: 12, diagnostics: 3 };

  it("shows each client state", () => {
    assert.match(renderStatus({ client: "starting" }).text, /sync~spin.*starting/);
    assert.match(renderStatus({ client: "running" }).text, /check\) ctxkit: running/);
    assert.match(renderStatus({ client: "stopped" }).text, /ctxkit: stopped/);
    assert.match(renderStatus({ client: "disabled" }).text, /ctxkit: disabled/);
    const error = renderStatus({ client: "error", clientMessage: "crashed 5 times; not restarted" });
    assert.match(error.text, /error\) ctxkit: error/);
    assert.equal(error.tone, "error");
    assert.match(error.tooltip, /crashed 5 times; not restarted/);
  });

  it("shows the last validation time in the text and its details in the tooltip", () => {
    const view = renderStatus({ client: "running", server: { state: "ok", lastValidation } });
    assert.equal(view.text, "$(check) ctxkit: 09:05:07");
    assert.match(view.tooltip, /service a\.ts at 09:05:07 \(12 ms, 3 diagnostics\)/);
    assert.equal(view.tone, "normal");
  });

  it("shows the server's warning or error with its message, and clears when the server is ok again", () => {
    const warning = renderStatus({ client: "running", server: { state: "warning", message: "ctxkit.enable must be true or false", lastValidation } });
    assert.equal(warning.text, "$(warning) ctxkit: 09:05:07");
    assert.equal(warning.tone, "warning");
    assert.match(warning.tooltip, /ctxkit\.enable must be true or false/);
    const error = renderStatus({ client: "running", server: { state: "error", message: "tsconfig.json: ';' expected" } });
    assert.equal(error.text, "$(error) ctxkit: error");
    assert.match(error.tooltip, /tsconfig\.json: ';' expected/);
    assert.equal(renderStatus({ client: "running", server: { state: "ok" } }).tone, "normal");
  });

  it("gives screen readers the state and the server's message, without icon names", () => {
    const view = renderStatus({ client: "running", server: { state: "warning", message: "tsconfig.json: ';' expected" } });
    assert.equal(accessibleLabel(view), "ctxkit: running — ctxkit: tsconfig.json: ';' expected");
  });

  it("says '?' for a time it cannot read rather than a wrong one", () => {
    assert.equal(clockTime("not a date"), "?");
  });
});
