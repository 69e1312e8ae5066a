import type { StateFolder } from '../core/state-folders.js';
import type { TaskFields } from '../core/task-schema.js';

// One line of the task list: what `tasks`, `completed_tasks.json` and `current_state.md` show.
export interface TaskSummary {
  id: string;
  state: StateFolder;
  description: string;
  agent?: string;
  priority?: string | number;
  created_at?: string;
  parent?: string;
  attempts: number;
  outcome?: string;
  error?: string;
  summary?: string;
  output?: string;
  finished_at?: string;
  duration_ms?: number;
  invalid?: boolean;
}

const DESCRIPTION_LENGTH = 200;

// Summarises a task file's fields for the index.
export function summarizeTask(id: string, state: StateFolder, fields: TaskFields): TaskSummary {
  const description =
    fields.description.length > DESCRIPTION_LENGTH
      ? `${fields.description.slice(0, DESCRIPTION_LENGTH - 1)}…`
      : fields.description;
  const last = fields.attempts?.at(-1);
  const result = fields.result;
  return {
    id,
    state,
    description,
    // The agent asked for, else the one that ran it (its slot without the "#n").
    ...((fields.agent ?? last?.agent) ? { agent: fields.agent ?? last!.agent!.replace(/#\d+$/, '') } : {}),
    ...(fields.priority === undefined ? {} : { priority: fields.priority }),
    ...(fields.created_at === undefined ? {} : { created_at: fields.created_at }),
    ...(fields.parent === undefined ? {} : { parent: fields.parent }),
    attempts: fields.attempts?.length ?? 0,
    ...(result ? { outcome: result.outcome } : {}),
    ...(result?.error ? { error: result.error } : last?.error && state !== 'completed' ? { error: last.error } : {}),
    ...(result?.summary ? { summary: result.summary } : {}),
    ...(result?.output ? { output: result.output } : {}),
    ...(last?.ended_at && result ? { finished_at: last.ended_at } : {}),
    ...(result?.duration_ms === undefined ? {} : { duration_ms: result.duration_ms }),
  };
}
