// How a run of passes ended.
export type PassOutcome = { failed: false } | { failed: true; error: unknown };

// What the loop wakes for: a time the scheduler named (a retry's backoff, a paused agent), and the
// next look at a file still settling. Each is set and cleared on its own; one timer serves both.
export type WakeReason = 'schedule' | 'settle';

// When the reconcile pass runs: one at a time, at once again if rung while it ran, else on the next
// turn of the event loop (rings in the same turn share one pass), or now for a freed slot; plus the
// one timer for the soonest time something waits until.
export class PassLoop {
  private running = false;
  private again = false;
  private queued = false;
  private closed = false;
  private readonly wakes = new Map<WakeReason, number>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private quietWaiters: (() => void)[] = [];

  // `settled` is told how each run of passes ended: `failed` with the error that stopped it, or not.
  // `wake` is called when the soonest wake time comes.
  constructor(
    private readonly pass: () => Promise<void>,
    private readonly settled: (outcome: PassOutcome) => void,
    private readonly wake: () => void,
  ) {}

  // Whether a pass runs now, or is queued to.
  get isBusy(): boolean {
    return this.running || this.queued;
  }

  // Whether a pass was asked for while one ran, and has not run yet.
  get isRungAgain(): boolean {
    return this.again;
  }

  ring(): void {
    if (this.closed) return;
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
    if (this.running || this.queued || this.closed) return this.ring();
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
    if (!this.isBusy) for (const resolve of this.quietWaiters.splice(0)) resolve();
  }

  // Resolves once no pass runs or is queued (at once if none is).
  whenQuiet(): Promise<void> {
    if (!this.isBusy) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  // No pass runs after this, and no wake is armed: the daemon is done.
  close(): void {
    this.closed = true;
    this.stopWaking();
  }

  // Sets (or, with undefined, clears) the time one reason wakes the loop; the others keep theirs.
  wakeAt(reason: WakeReason, when: number | undefined): void {
    if (this.closed) return;
    if (when === undefined) this.wakes.delete(reason);
    else this.wakes.set(reason, when);
    this.armWake();
  }

  // Clears every wake (nothing is claimed any more, so nothing needs waking for).
  stopWaking(): void {
    this.wakes.clear();
    this.armWake();
  }

  // Keeps the one timer set for the soonest wake (left as it is when that did not change).
  private armWake(): void {
    const soonest = this.wakes.size === 0 ? undefined : Math.min(...this.wakes.values());
    if (soonest === this.timerAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.timerAt = soonest;
    if (soonest === undefined) return;
    this.wakeTimer = setTimeout(
      () => {
        // The times that came are served; the pass this wake runs sets the next ones.
        for (const [reason, when] of this.wakes) if (when <= soonest) this.wakes.delete(reason);
        this.wakeTimer = undefined;
        this.timerAt = undefined;
        this.armWake();
        this.wake();
      },
      Math.max(0, soonest - Date.now()) + 5,
    );
  }
}
