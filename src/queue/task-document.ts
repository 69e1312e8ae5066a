import { parseDocument } from 'yaml';
import type { Attempt, TaskResult } from '../core/task-schema.js';

// The fields the daemon writes, always appended below the person's part in this order.
const DAEMON_KEYS = ['attempts', 'attempts_base', 'retry_after', 'result'] as const;

export interface DaemonFields {
  created_at?: string;
  attempts?: Attempt[];
  attempts_base?: number | undefined;
  retry_after?: string | undefined;
  result?: TaskResult | undefined;
}

// Rewrites a task's text with new daemon fields, keeping the person's fields, order and comments.
export function renderTask(text: string, update: DaemonFields): string {
  const document = parseDocument(text);
  const current = (document.toJS() ?? {}) as Record<string, unknown>;
  if (update.created_at !== undefined && !document.has('created_at')) document.set('created_at', update.created_at);
  for (const key of DAEMON_KEYS) document.delete(key);
  for (const key of DAEMON_KEYS) {
    const value = key in update ? update[key] : current[key];
    if (value !== undefined && value !== null) document.set(key, document.createNode(prune(value)));
  }
  return document.toString({ lineWidth: 0, minContentWidth: 0 });
}

// Drops undefined values so the file never shows `key: null` for something that did not happen.
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, prune(v)]));
  }
  return value;
}
