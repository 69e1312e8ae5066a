import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomicSync } from '../queue/atomic-write.js';
import type { Logger } from './logger.js';

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
    return Array.isArray(data) ? data.filter((entry): entry is LoggedError => typeof entry?.time === 'string' && typeof entry?.message === 'string') : [];
  } catch {
    return [];
  }
}

// A logger whose errors also go to the trail: an object on top of the caller's logger (which is
// left as it was) with its own error and fatal.
export function withErrorTrail(log: Logger, trail: ErrorTrail): Logger {
  const traced = Object.create(log) as Logger;
  for (const level of ['error', 'fatal'] as const) {
    const write = log[level] as ((...args: unknown[]) => void) | undefined;
    traced[level] = ((first: unknown, ...rest: unknown[]) => {
      trail.note(messageOf(first, rest));
      write?.call(log, first, ...rest);
    }) as Logger['error'];
  }
  return traced;
}

// The message of a pino call: `log.error(message)`, `log.error(fields, message)` or `log.error(err)`.
function messageOf(first: unknown, rest: unknown[]): string {
  if (typeof first === 'string') return first;
  if (typeof rest[0] === 'string') return rest[0];
  return first instanceof Error ? first.message : 'an error without a message (see .orchestrate/daemon.log)';
}
