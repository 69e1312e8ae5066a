// Work a daemon has started and not seen end (transitions, stops, ends being recorded): a daemon
// that stops waits for it, so nothing it began is left half done or done after it returned.
export class WorkUnderWay {
  private readonly work = new Set<Promise<unknown>>();

  get size(): number {
    return this.work.size;
  }

  // Keeps `promise` until it settles, and returns it.
  track<T>(promise: Promise<T>): Promise<T> {
    this.work.add(promise);
    const forget = () => this.work.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  // Settles once everything under way now has ended (whether it succeeded or not).
  whenDone(): Promise<unknown> {
    return Promise.allSettled(this.work);
  }
}
