import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

// One JSON log line as a person reads it on a terminal: "12:00:01 INFO claimed x task=x agent=shell#1".
export function formatLogLine(line: string): string {
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

// The daemon's logger: JSON lines for files and scripts, readable lines on a terminal.
export function createLogger(options: { pretty: boolean; level?: string; destination?: NodeJS.WritableStream }): Logger {
  const out = options.destination ?? process.stdout;
  const stream = options.pretty
    ? { write: (chunk: string) => out.write(`${chunk.split('\n').filter(Boolean).map(formatLogLine).join('\n')}\n`) }
    : out;
  return pino({ level: options.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.epochTime }, stream as NodeJS.WritableStream);
}

// A logger that drops everything, for in-process daemons in tests and benchmarks.
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
