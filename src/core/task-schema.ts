import * as z from 'zod';
import { parseDuration } from './duration.js';
import { idProblem } from './ids.js';
import { priorityLevel, type PriorityLevel } from './priority.js';
import { problemsFromZod, type Problem } from './problems.js';
import { textError, typeError } from './type-errors.js';
import { leavesAsText, LOCK_INSIDE, STAY_INSIDE } from './workspace-path.js';
import { worktreeResultFields, worktreeTaskFields } from './worktree-fields.js';

const duration = z
  .union([z.string(), z.number()], { error: typeError('a duration such as 30m, 1h or 90s') })
  .refine((value) => parseDuration(value) !== undefined, { error: 'must be a duration such as 30m, 1h or 90s' });

const taskIdRef = z
  .string({ error: textError('must be a task id', 'a task id') })
  .refine((id) => idProblem(id) === undefined, {
    error: 'is not a valid task id (letters, digits, ".", "_", "-")',
  });

const idList = z.union([taskIdRef.transform((id) => [id]), z.array(taskIdRef)], {
  error: 'must be a task id or a list of task ids',
});

// A file or folder a task or config file names, relative to the workspace.
export const workspacePath = z
  .string({ error: 'must be a path relative to the workspace' })
  .refine((path) => !leavesAsText(path), { error: STAY_INSIDE });

const lockPattern = z
  .string({ error: 'must be a path or glob' })
  .refine((pattern) => !leavesAsText(pattern), { error: LOCK_INSIDE });

// What an agent's CLI reported about its run (AI presets only).
const usageFields = {
  tokens_in: z.number().optional(),
  tokens_out: z.number().optional(),
  cost_usd: z.number().optional(),
  turns: z.number().optional(),
  tool_calls: z.number().optional(),
};

// One attempt as the daemon records it; loose so a hand-edited history never blocks a task.
const attemptSchema = z
  .object({
    number: z.number().int(),
    agent: z.string().optional(),
    worker: z.string().optional(),
    started_at: z.string().optional(),
    ended_at: z.string().optional(),
    exit_code: z.number().int().nullable().optional(),
    outcome: z.enum(['success', 'failed', 'timeout', 'cancelled', 'lost', 'spawn_error', 'rate_limited']),
    error: z.string().optional(),
    ...usageFields,
  })
  .loose();

const resultSchema = z
  .object({
    outcome: z.string(),
    output: z.string().optional(),
    summary: z.string().optional(),
    error: z.string().optional(),
    duration_ms: z.number().optional(),
    ...usageFields,
    ...worktreeResultFields,
  })
  .loose();

// The task file: a person's fields first, then what the daemon adds at transitions.
export const taskSchema = z.strictObject({
  description: z
    .string({
      error: textError(
        'is required: the prompt for the agent (add `description: ...`)',
        'the prompt for the agent, as text',
      ),
    })
    .trim()
    .min(1, { error: 'must not be empty (say what the agent should do)' }),
  agent: z
    .string({
      error: textError('must be an agent name from orchestrator.yaml', 'an agent name from orchestrator.yaml'),
    })
    .optional(),
  role: z.string({ error: textError('must be a role name', 'a role name') }).optional(),
  priority: z
    .union([z.string(), z.number()], { error: typeError('high, normal or low (or 0, 1, 2)') })
    .refine((value) => priorityLevel(value) !== undefined, { error: 'must be high, normal or low (or 0, 1, 2)' })
    .optional(),
  depends_on: idList.optional(),
  after: idList.optional(),
  when: z
    .strictObject({ failed: taskIdRef }, { error: 'must be a mapping such as `when: { failed: run-tests }`' })
    .optional(),
  context_files: z.array(workspacePath, { error: 'must be a list of paths' }).optional(),
  locks: z.array(lockPattern, { error: 'must be a list of paths or globs' }).optional(),
  timeout: duration.optional(),
  max_retries: z
    .number({ error: typeError('a whole number, 0 or more') })
    .int({ error: 'must be a whole number, 0 or more' })
    .min(0, { error: 'must be 0 or more' })
    .optional(),
  command: z
    .string({ error: textError('must be a shell command line (used by the shell agent)', 'a shell command line') })
    .optional(),
  ...worktreeTaskFields,
  // The task that submitted this one (`orchestrate add --parent`): `show PARENT` lists its children.
  parent: taskIdRef.optional(),
  created_at: z.string({ error: 'must be an ISO timestamp' }).optional(),
  attempts: z.array(attemptSchema).optional(),
  attempts_base: z.number().int().min(0).optional(),
  retry_after: z.string().optional(),
  result: resultSchema.optional(),
});

export type TaskFields = z.infer<typeof taskSchema>;
export type Attempt = z.infer<typeof attemptSchema>;
export type AttemptOutcome = Attempt['outcome'];
export type TaskResult = z.infer<typeof resultSchema>;

// A validated task with its derived scheduling facts.
export interface Task {
  id: string;
  fields: TaskFields;
  priority: PriorityLevel | undefined;
  dependsOn: string[];
  // Ids that must end first, in completed/ or failed/, whatever the outcome.
  after: string[];
  // Runs only if this task ended in failed/; skipped if it completed.
  whenFailed: string | undefined;
  timeoutMs: number | undefined;
  createdAt: string | undefined;
}

export type TaskValidation = { ok: true; task: Task } | { ok: false; problems: Problem[] };

// Validates parsed YAML as a task; problems name the field and the fix.
export function validateTask(id: string, data: unknown): TaskValidation {
  // A bad file name is reported with whatever else is wrong, so one fix-and-move-back is enough.
  const badId = idProblem(id);
  const idProblems: Problem[] = badId ? [{ path: '', message: badId }] : [];
  if (data === null || data === undefined) {
    return {
      ok: false,
      problems: [...idProblems, { path: '', message: 'the file is empty (write at least `description: ...`)' }],
    };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      problems: [
        ...idProblems,
        { path: '', message: 'must be a YAML mapping of fields (start with `description: ...`)' },
      ],
    };
  }
  const parsed = taskSchema.safeParse(data);
  if (!parsed.success) return { ok: false, problems: [...idProblems, ...problemsFromZod(parsed.error, taskSchema)] };
  if (badId) return { ok: false, problems: idProblems };
  const fields = parsed.data;
  return {
    ok: true,
    task: {
      id,
      fields,
      priority: fields.priority === undefined ? undefined : priorityLevel(fields.priority),
      dependsOn: fields.depends_on ?? [],
      after: fields.after ?? [],
      whenFailed: fields.when?.failed,
      timeoutMs: fields.timeout === undefined ? undefined : parseDuration(fields.timeout),
      createdAt: fields.created_at,
    },
  };
}
