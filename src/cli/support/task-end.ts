import { existsSync, readFileSync } from 'node:fs';
import { firstLine } from '../../core/text.js';
import type { Layout } from '../../queue/layout.js';

// How an ended task's file says it ended, read loosely (a hand-edited file still says what it can).
export interface TaskEnd {
  // Why it was set aside as invalid (first line of failed/<id>.error).
  invalid?: string;
  outcome?: string;
  error?: string;
  summary?: string;
  attempts: { number?: unknown; outcome?: unknown; error?: unknown }[];
}

interface TaskData {
  result?: { outcome?: unknown; error?: unknown; summary?: unknown };
  attempts?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? firstLine(value, 300) : undefined);

// Reads the end of a task in completed/ or failed/; the YAML parser loads only when it is needed.
export async function readTaskEnd(layout: Layout, id: string, state: 'completed' | 'failed'): Promise<TaskEnd> {
  try {
    if (state === 'failed' && existsSync(layout.errorPath(id)))
      return { invalid: firstLine(readFileSync(layout.errorPath(id), 'utf8'), 300), attempts: [] };
    const { parseYaml } = await import('../../queue/task-file.js');
    const parsed = parseYaml(readFileSync(layout.taskPath(state, id), 'utf8'));
    const data = (
      'data' in parsed && parsed.data !== null && typeof parsed.data === 'object' ? parsed.data : {}
    ) as TaskData;
    const attempts = Array.isArray(data.attempts)
      ? (data.attempts as TaskEnd['attempts']).filter((attempt) => attempt !== null && typeof attempt === 'object')
      : [];
    const end: TaskEnd = { attempts };
    const outcome = text(data.result?.outcome);
    const error = text(data.result?.error) ?? text(attempts.at(-1)?.error);
    const summary = text(data.result?.summary);
    if (outcome !== undefined) end.outcome = outcome;
    if (error !== undefined) end.error = error;
    if (summary !== undefined) end.summary = summary;
    return end;
  } catch {
    return { attempts: [] };
  }
}
