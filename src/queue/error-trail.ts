import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomicSync } from './atomic-write.js';

// One error the daemon logged, as `orchestrate status` shows it.
export interface LoggedError {
  time: string;
  message: string;
}

// How many of the latest errors are kept.
const KEPT = 5;

// The daemon's latest errors, kept in .orchestrate/errors.json, so `status` can show what went wrong
// without anyone reading daemon.log (and whether the daemon runs in the foreground or not).
export class ErrorTrail {
  private readonly errors: LoggedError[] = [];

  constructor(private readonly path: string) {}

  // A new daemon starts a new trail once it holds the workspace: what an earlier one logged is kept until then.
  start(): void {
    this.errors.splice(0);
    rmSync(this.path, { force: true });
  }

  note(message: string, now = new Date()): void {
    this.errors.push({ time: now.toISOString(), message });
    this.errors.splice(0, Math.max(0, this.errors.length - KEPT));
    try {
      writeFileAtomicSync(this.path, `${JSON.stringify(this.errors, null, 2)}\n`, { durable: false });
    } catch {
      // Only a convenience for `status`: the log has the error too.
    }
  }
}

// The errors a daemon of this workspace logged last (newest last); none when there is no trail.
export function readErrorTrail(path: string): LoggedError[] {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(data)
      ? data.filter(
          (entry): entry is LoggedError => typeof entry?.time === 'string' && typeof entry?.message === 'string',
        )
      : [];
  } catch {
    return [];
  }
}
