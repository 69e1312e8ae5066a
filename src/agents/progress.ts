import { lastLine } from '../core/text.js';
import { jsonLines, usageOf } from './json-lines.js';
import type { AgentPreset, AgentUsage, EventView } from './preset.js';

// A running agent's progress, as `status` shows it and runs/<id>/<n>/status.json keeps it.
export interface Progress extends AgentUsage {
  turns: number;
  tool_calls: number;
  last_message?: string;
  updated_at?: string;
}

const LINE = 160;

export function emptyProgress(): Progress {
  return { turns: 0, tool_calls: 0 };
}

// Folds more events into a run's progress.
export function addViews(progress: Progress, views: readonly EventView[]): Progress {
  const next = { ...progress };
  for (const view of views) {
    if (view.turn) next.turns++;
    if (view.kind === 'tool') next.tool_calls++;
    if (view.tokens_in !== undefined) next.tokens_in = (next.tokens_in ?? 0) + view.tokens_in;
    if (view.tokens_out !== undefined) next.tokens_out = (next.tokens_out ?? 0) + view.tokens_out;
    if (view.totals) Object.assign(next, usageOf(view.totals));
    if (view.text !== '') next.last_message = lastLine(view.kind === 'tool' ? `→ ${view.text}` : view.text, LINE);
  }
  return next;
}

// The views of every complete JSON line in a chunk of a CLI's stdout.
export function viewsOf(preset: AgentPreset, text: string): EventView[] {
  return preset.view ? jsonLines(text).flatMap((event) => preset.view!(event)) : [];
}

// The views of the lines of a chunk of a CLI's stderr (its retries, for CLIs that print them only there).
export function stderrViewsOf(preset: AgentPreset, text: string): EventView[] {
  return preset.viewStderr ? text.split('\n').flatMap((line) => preset.viewStderr!(line)) : [];
}
