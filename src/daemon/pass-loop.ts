// How a run of passes ended.
export type PassOutcome = { failed: false } | { failed: true; error: unknown };

// When the reconcile pass runs: one at a time, at once again if rung while it ran, else on the next
// turn of the event loop (rings in the same turn share one pass), or now for a freed slot; plus the
// one timer for the next time something waits until.
export class PassLoop {
  private running = false;
  private again = false;
  private queued = false;
  private wakeTimer: NodeJS.Timeout | undefined;

  // `settled` is told how each run of passes ended: `failed` with the error that stopped it, or not.
  constructor(
    private readonly pass: () => Promise<void>,
    private readonly settled: (outcome: PassOutcome) => void,
  ) {}

  // Whether a pass runs now.
  get isRunning(): boolean {
    return this.running;
  }

  // Whether a pass was asked for while one ran, and has not run yet.
  get isRungAgain(): boolean {
    return this.again;
  }

  ring(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      void this.run();
    });
  }

  // A slot was freed: look at once rather than on the next turn of the loop, so the next task's
  // claim and spawn come before the work queued behind this exit.
  runNow(): void {
    if (this.running || this.queued) return this.ring();
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    let outcome: PassOutcome = { failed: false };
    try {
      do {
        this.again = false;
        await this.pass();
      } while (this.again);
    } catch (error) {
      outcome = { failed: true, error };
    } finally {
      this.running = false;
    }
    this.settled(outcome);
  }

  // Calls `wake` at `when` (the one timer: a later call replaces an earlier one).
  wakeAt(when: number, wake: () => void): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(wake, Math.max(0, when - Date.now()) + 5);
  }

  stopWaking(): void {
    clearTimeout(this.wakeTimer);
  }
}
