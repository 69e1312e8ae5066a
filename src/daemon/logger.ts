import { copyFileSync, statSync, truncateSync } from 'node:fs';
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

// One JSON log line as a person reads it on a terminal: "12:00:01 INFO claimed x task=x agent=shell#1".
function formatLogLine(line: string): string {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const time = new Date(record.time as number).toTimeString().slice(0, 8);
    const extras = Object.entries(record)
      .filter(([key]) => !OMIT.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    return `${time} ${(LEVELS[record.level as number] ?? 'INFO').padEnd(5)} ${String(record.msg ?? '')}${extras ? `  ${extras}` : ''}`;
  } catch {
    return line;
  }
}

// A log file is kept under this size: past it, it is copied to <file>.1 (replacing the older copy)
// and emptied in place, so the daemon's stdout and stderr, both appending to it, carry on.
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
// Writes between two looks at the file's size.
const ROTATE_CHECK_BYTES = 64 * 1024;

export interface LogRotation {
  path: string;
  maxBytes?: number;
}

// Copy and truncate: the one rotation that needs no reopening of the file descriptors the daemon
// was started with. Called between two synchronous writes, so no line is split or lost.
function rotateLog(path: string, maxBytes: number): boolean {
  const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (size < maxBytes) return false;
  copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  return true;
}

// The daemon's logger: JSON lines for files and scripts, readable lines on a terminal.
export function createLogger(options: {
  pretty: boolean;
  level?: string;
  destination?: NodeJS.WritableStream;
  rotation?: LogRotation;
}): Logger {
  const out = options.destination ?? process.stdout;
  const format = (chunk: string) =>
    options.pretty ? `${chunk.split('\n').filter(Boolean).map(formatLogLine).join('\n')}\n` : chunk;
  // The first write looks at once: a daemon started on a full log rotates it before adding to it.
  let sinceCheck = ROTATE_CHECK_BYTES;
  const { rotation } = options;
  const stream = {
    write: (chunk: string) => {
      if (rotation && sinceCheck >= ROTATE_CHECK_BYTES) {
        sinceCheck = 0;
        try {
          rotateLog(rotation.path, rotation.maxBytes ?? LOG_ROTATE_BYTES);
        } catch {
          // A log that cannot be rotated keeps growing; the daemon must not stop for it.
        }
      }
      sinceCheck += chunk.length;
      out.write(format(chunk));
    },
  };
  return pino({ level: options.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.epochTime }, stream);
}

// A logger that drops everything, for in-process daemons in tests and benchmarks.
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

// A logger whose errors also go to the trail: an object on top of the caller's logger (which is
// left as it was) with its own error and fatal.
export function withErrorTrail(log: Logger, trail: { note(message: string): void }): Logger {
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
