import assert from "node:assert/strict";
import { RestartPolicy } from "../../extension/src/restartPolicy";

describe("extension: RestartPolicy", () => {
  it("restarts up to the cap within the window, then stops with a message that says what to do", () => {
    let now = 0;
    const policy = new RestartPolicy(4, 180_000, () => now);
    const decisions = [1, 2, 3, 4, 5].map(() => {
      now += 1000;
      return policy.crashed();
    });
    assert.deepEqual(decisions.map((d) => d.restart), [true, true, true, true, false]);
    assert.match(decisions[0]!.message, /restarting it \(1 of 4\)/);
    assert.match(decisions[4]!.message, /stopped 5 times in 3 minutes and will not be restarted/);
    assert.match(decisions[4]!.message, /Restart language server/);
  });

  it("forgets crashes older than the window, so a server that crashes rarely is always restarted", () => {
    let now = 0;
    const policy = new RestartPolicy(2, 60_000, () => now);
    for (let i = 0; i < 10; i++) {
      now += 61_000;
      assert.equal(policy.crashed().restart, true, `crash ${i + 1}`);
    }
  });

  it("starts counting afresh after reset (a restart by hand)", () => {
    const policy = new RestartPolicy(1, 60_000, () => 0);
    assert.equal(policy.crashed().restart, true);
    assert.equal(policy.crashed().restart, false);
    policy.reset();
    assert.equal(policy.crashed().restart, true);
  });
});
