// Remembers the last problem logged per key (a task id, or a name starting with ":"), so a problem
// that comes back on every pass (a file the daemon cannot handle) is logged once, not 20 times a second.
export class RepeatFilter {
  private readonly last = new Map<string, string>();

  // Whether `message` is new for `key` (and so worth logging); remembers it.
  fresh(key: string, message: string): boolean {
    if (this.last.get(key) === message) return false;
    this.last.set(key, message);
    return true;
  }

  // The problem of `key` is over: the next one is logged again.
  clear(key: string): void {
    this.last.delete(key);
  }
}
