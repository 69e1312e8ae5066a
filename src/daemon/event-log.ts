import { closeSync, openSync, writeSync } from 'node:fs';

// The daemon's events.jsonl: lines gathered during one turn of the event loop, then appended with
// one synchronous write. A write to the page cache costs less than a hop through the thread pool,
// and nothing is left in a buffer for long if the daemon is killed.
export class EventLog {
  private readonly fd: number;
  private lines: string[] = [];
  private scheduled = false;
  private closed = false;

  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }

  // After close, nothing: the descriptor's number may belong to another file by then.
  append(type: string, fields: Record<string, unknown>): void {
    if (this.closed) return;
    this.lines.push(`${JSON.stringify({ time: new Date().toISOString(), type, ...fields })}\n`);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    try {
      writeSync(this.fd, text);
    } catch {
      // A full disk must not stop the daemon; the task files still hold every outcome.
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
