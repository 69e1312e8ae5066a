import { classifyFailure } from '../core/agent-failure.js';
import { firstLine, plainText } from '../core/text.js';
import { summarize } from './plain-output.js';
import type { AgentReport, AgentUsage, RunOutput } from './preset.js';

export type JsonEvent = Record<string, unknown>;

// The JSON objects of a CLI's stream, one per line; anything else (banners, partial lines) is skipped.
export function jsonLines(text: string): JsonEvent[] {
  const events: JsonEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) events.push(value as JsonEvent);
    } catch {
      // A line cut short by a kill, or not JSON at all.
    }
  }
  return events;
}

// Reads a field path such as ['usage', 'input_tokens'] from an event, if it is there.
export function field(event: unknown, ...path: string[]): unknown {
  let value = event;
  for (const key of path) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function numberAt(event: unknown, ...path: string[]): number | undefined {
  const value = field(event, ...path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringAt(event: unknown, ...path: string[]): string | undefined {
  const value = field(event, ...path);
  return typeof value === 'string' ? value : undefined;
}

// A tool call in a few words: its name and the argument that says the most.
export function toolText(name: unknown, input: unknown): string {
  const argument = ['file_path', 'path', 'command', 'pattern', 'url', 'query', 'description']
    .map((key) => field(input, key))
    .find((value) => typeof value === 'string' || Array.isArray(value));
  const shown = Array.isArray(argument) ? argument.join(' ') : (argument as string | undefined);
  return `${String(name ?? 'tool')}${shown ? ` ${shown}` : ''}`;
}

// Adds up numbers that may be missing; undefined when all of them are.
export function sum(...values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

// Drops the usage fields a CLI did not report.
export function usageOf(usage: AgentUsage): AgentUsage | undefined {
  // Micro-dollars are precision enough, and keep the task file free of float noise.
  const cost = usage.cost_usd === undefined ? undefined : Math.round(usage.cost_usd * 1e6) / 1e6;
  const present = Object.fromEntries(
    Object.entries({ ...usage, cost_usd: cost }).filter(([, value]) => value !== undefined),
  ) as AgentUsage;
  return Object.keys(present).length === 0 ? undefined : present;
}

export interface StreamCli {
  name: string;
  // What to do when the CLI is not logged in.
  authHint: string;
}

// The report of a run: success needs exit code 0 and the CLI's own verdict; errors say why, and
// limits and authentication failures are told apart from ordinary ones.
export function streamReport(
  output: RunOutput,
  read: { ok: boolean; answer: string; error?: string; usage: AgentUsage },
  cli: StreamCli,
): AgentReport {
  const success = output.exitCode === 0 && read.ok;
  const fallback =
    summarize(output.stderr) ||
    (output.exitCode === 0
      ? `${cli.name} ended without reporting a result`
      : `${cli.name} exited with ${output.exitCode}`);
  const usage = usageOf(read.usage);
  // The CLI's own message may be coloured for a terminal: the task file gets its text.
  const error = plainText(read.error ?? '').trim() || fallback;
  const failure = success ? undefined : classifyFailure(`${error}\n${output.stderr.slice(-4096)}`, Date.now());
  return {
    success,
    answer: read.answer,
    summary: summarize(read.answer),
    ...(success ? {} : { error: failure?.kind === 'auth' ? `${cli.authHint} (${firstLine(error, 200)})` : error }),
    ...(failure ? { failure } : {}),
    ...(usage ? { usage } : {}),
  };
}
