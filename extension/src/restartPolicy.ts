/**
 * When to restart a language server that went away: a few times, then stop, so a server that dies at
 * start-up (a bad install, a crash on the workspace) does not loop forever. Plain logic, no vscode import,
 * so the unit tests drive it directly.
 */
export interface RestartDecision {
  restart: boolean;
  /** Crashes counted in the current window, including this one. */
  crashes: number;
  /** What to tell the user. */
  message: string;
}

export class RestartPolicy {
  private crashes: number[] = [];

  /**
   * @param maxRestarts how many restarts are allowed within `windowMs`
   * @param windowMs crashes older than this are forgotten
   * @param now clock, for tests
   */
  constructor(
    readonly maxRestarts = 4,
    readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Call when the server went away without being asked to stop. */
  crashed(): RestartDecision {
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.windowMs);
    this.crashes.push(t);
    const crashes = this.crashes.length;
    if (crashes <= this.maxRestarts) {
      return { restart: true, crashes, message: `ctxkit: the language server stopped unexpectedly; restarting it (${crashes} of ${this.maxRestarts}).` };
    }
    const minutes = Math.round(this.windowMs / 60_000);
    return {
      restart: false,
      crashes,
      message: `ctxkit: the language server stopped ${crashes} times in ${minutes} minutes and will not be restarted. ` +
        `See the "ctxkit" output for the cause, then run "ctxkit: Restart language server".`,
    };
  }

  /** Forget past crashes (the user restarted the server by hand). */
  reset(): void {
    this.crashes = [];
  }
}
