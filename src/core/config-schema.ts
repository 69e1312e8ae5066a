import { join } from 'node:path';
import { agentSettingProblems } from './agent-settings.js';
import { BUILT_IN_ROLES } from './roles.js';
import * as z from 'zod';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { typeError } from './type-errors.js';
import { priorityLevel, type PriorityLevel } from './priority.js';
import { problemsFromZod, type Problem } from './problems.js';
import { workspacePath } from './task-schema.js';
import { leavesAsText, STAY_INSIDE } from './workspace-path.js';
import {
  worktreeConfig,
  worktreeDefaultFields,
  worktreeSectionSchema,
  type WorktreeConfig,
} from './worktree-fields.js';
import { unknownAgentRoles, unknownPresets, writtenProblems } from './config-checks.js';

const durationText = z.union([z.string(), z.number()]).refine((value) => parseDuration(value) !== undefined, {
  error: 'must be a duration such as 30m, 1h or 90s',
});

const sizeText = z.union([z.string(), z.number()]).refine((value) => parseSize(value) !== undefined, {
  error: 'must be a size such as 256MB, 1GB or a number of bytes (0: no limit)',
});

const stallAction = z.enum(['warn', 'cancel', 'retry'], { error: 'must be warn, cancel or retry' });

const agentSchema = z
  .strictObject({
    preset: z.string({ error: 'must be a preset name (shell, claude, codex, gemini, qwen, copilot)' }).optional(),
    command: z
      .union([z.string().min(1), z.array(z.string()).min(1)], {
        error: 'must be a command line string or an argv list such as ["my-agent", "{prompt}"]',
      })
      .optional(),
    args: z.array(z.string(), { error: 'must be a list of extra arguments' }).optional(),
    model: z.string({ error: 'must be a model name (passed to the CLI as --model)' }).min(1).optional(),
    // The preset's CLI when it is not on PATH (or has another name): a path, or a name looked up on PATH.
    bin: z.string({ error: 'must be the path of the CLI, such as /opt/claude/bin/claude' }).min(1).optional(),
    max_instances: z
      .number({ error: typeError('a whole number, 1 or more') })
      .int()
      .min(1, { error: 'must be 1 or more' })
      .default(1),
    timeout: durationText.optional(),
    env: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), {
        error: 'must be a mapping of NAME: value',
      })
      .optional(),
    cwd: z.string({ error: 'must be a folder relative to the workspace' }).optional(),
    stall_timeout: durationText.optional(),
    stall_action: stallAction.optional(),
    max_output: sizeText.optional(),
    // Roles this agent takes: a task with one of these roles and no agent of its own runs here.
    roles: z.array(z.string(), { error: 'must be a list of role names such as [backend, tests]' }).optional(),
  })
  .refine((agent) => (agent.preset === undefined) !== (agent.command === undefined), {
    error: 'needs exactly one of `preset:` or `command:` (for example `preset: shell`)',
  });

const defaultsSchema = z.strictObject({
  agent: z.string().optional(),
  priority: z
    .union([z.string(), z.number()])
    .refine((value) => priorityLevel(value) !== undefined, { error: 'must be high, normal or low' })
    .default('normal'),
  timeout: durationText.default('30m'),
  // One quick retry: a transient failure gets a second chance, a real one fails in seconds (docs/decisions.md).
  max_retries: z
    .number({ error: typeError('a whole number, 0 or more') })
    .int()
    .min(0)
    .default(1),
  retry_delay: durationText.default('5s'),
  // An agent silent for this long is stalled (0 turns the check off); the action says what then.
  stall_timeout: durationText.default('10m'),
  stall_action: stallAction.default('warn'),
  // A run whose stdout or stderr grows past this is stopped (0: no limit): `yes` fills a disk in minutes.
  max_output: sizeText.default('256MB'),
  // How long an agent pauses after a usage or rate limit whose CLI named no reset time (doubling).
  limit_backoff: durationText.default('1m'),
  // Where agents work (the workspace, or a git worktree each), from which base, and how work merges back.
  ...worktreeDefaultFields,
  // A waiting task rises one priority level per this much time since its created_at (0: never).
  priority_aging: durationText.default('30m'),
});

const daemonSchema = z.strictObject({
  rescan_interval: durationText.default('2s'),
  stable_window: durationText.default('150ms'),
  kill_grace: durationText.default('5s'),
});

// The context files of a config without a `context:` section (`orchestrate init` writes the overview).
const DEFAULT_CONTEXT_FILES: readonly string[] = ['context/project_overview.md'];

// orchestrator.yaml: every field optional so `orchestrate init` can write a short file.
const configSchema = z.strictObject({
  max_concurrent: z
    .number({ error: typeError('a whole number, 1 or more') })
    .int()
    .min(1, { error: 'must be 1 or more' })
    .default(4),
  agents: z
    .record(z.string(), agentSchema, {
      error: typeError('a mapping of agent names to their settings, such as `shell: { preset: shell }`'),
    })
    .default({ shell: { preset: 'shell', max_instances: 4 } }),
  defaults: defaultsSchema.default(() => defaultsSchema.parse({})),
  // DESIGN: the overview is given to every agent, so it is in unless `files:` says otherwise.
  context: z
    .strictObject({ files: z.array(workspacePath).default(() => [...DEFAULT_CONTEXT_FILES]) })
    .default(() => ({ files: [...DEFAULT_CONTEXT_FILES] })),
  // Extra roles, or replacements for the built-in ones: name -> the role's system prompt.
  roles: z.record(z.string(), z.string({ error: "must be the role's system prompt (a string)" }).min(1)).default({}),
  daemon: daemonSchema.default(() => daemonSchema.parse({})),
  worktree: worktreeSectionSchema,
});

export type ConfigFields = z.infer<typeof configSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;

// Where an agent works: its `cwd` under `base` (the workspace, or a task's worktree), else `base`.
export function agentWorkdir(base: string, agent: Pick<AgentConfig, 'cwd'>): string {
  return agent.cwd ? join(base, agent.cwd) : base;
}
export type StallAction = z.infer<typeof stallAction>;

// The config with durations resolved, as the rest of the program uses it.
export interface Config {
  maxConcurrent: number;
  agents: Record<
    string,
    AgentConfig & {
      timeoutMs: number | undefined;
      stallTimeoutMs: number | undefined;
      maxOutputBytes: number | undefined;
    }
  >;
  defaults: {
    agent: string | undefined;
    priority: PriorityLevel;
    timeoutMs: number;
    maxRetries: number;
    retryDelayMs: number;
    stallTimeoutMs: number;
    stallAction: StallAction;
    maxOutputBytes: number;
    limitBackoffMs: number;
    priorityAgingMs: number;
  };
  contextFiles: string[];
  worktree: WorktreeConfig;
  // Every role a task may name: the built-in ones, then orchestrator.yaml's.
  roles: Record<string, string>;
  // This daemon run's pool (`--agents`, in the order named): where a task that names no agent goes.
  pool?: string[];
  rescanIntervalMs: number;
  stableWindowMs: number;
  killGraceMs: number;
}

export type ConfigValidation = { ok: true; config: Config } | { ok: false; problems: Problem[] };

// Validates parsed orchestrator.yaml against the schema and the known presets.
export function validateConfig(data: unknown, presetNames: readonly string[]): ConfigValidation {
  const parsed = configSchema.safeParse(data ?? {});
  // Problems the schema cannot see are reported beside its own (unknown presets, commands a shell
  // would be needed for, an unknown default agent), so one run of doctor lists them all.
  if (!parsed.success)
    return {
      ok: false,
      problems: [
        ...problemsFromZod(parsed.error, configSchema),
        ...unknownPresets(data, presetNames),
        ...writtenProblems(data),
      ],
    };
  const fields = parsed.data;
  const problems: Problem[] = [...unknownPresets(fields, presetNames), ...writtenProblems(fields)];
  for (const [name, agent] of Object.entries(fields.agents)) {
    if (agent.cwd !== undefined && leavesAsText(agent.cwd))
      problems.push({ path: `agents.${name}.cwd`, message: STAY_INSIDE });
    problems.push(...agentSettingProblems(name, agent));
    problems.push(...unknownAgentRoles(name, agent.roles, Object.keys({ ...BUILT_IN_ROLES, ...fields.roles })));
  }
  if (Object.keys(fields.agents).length === 0)
    problems.push({ path: 'agents', message: 'no agents configured (add one, e.g. `shell: { preset: shell }`)' });
  if (problems.length > 0) return { ok: false, problems };
  const ms = (value: string | number) => parseDuration(value) ?? 0;
  return {
    ok: true,
    config: {
      maxConcurrent: fields.max_concurrent,
      agents: Object.fromEntries(
        Object.entries(fields.agents).map(([name, agent]) => [
          name,
          {
            ...agent,
            timeoutMs: agent.timeout === undefined ? undefined : ms(agent.timeout),
            stallTimeoutMs: agent.stall_timeout === undefined ? undefined : ms(agent.stall_timeout),
            maxOutputBytes: agent.max_output === undefined ? undefined : parseSize(agent.max_output),
          },
        ]),
      ),
      defaults: {
        agent: fields.defaults.agent,
        priority: priorityLevel(fields.defaults.priority) ?? 1,
        timeoutMs: ms(fields.defaults.timeout),
        maxRetries: fields.defaults.max_retries,
        retryDelayMs: ms(fields.defaults.retry_delay),
        stallTimeoutMs: ms(fields.defaults.stall_timeout),
        stallAction: fields.defaults.stall_action,
        maxOutputBytes: parseSize(fields.defaults.max_output) ?? 0,
        limitBackoffMs: ms(fields.defaults.limit_backoff),
        priorityAgingMs: ms(fields.defaults.priority_aging),
      },
      contextFiles: fields.context.files,
      worktree: worktreeConfig(fields.defaults, fields.worktree),
      roles: { ...BUILT_IN_ROLES, ...fields.roles },
      rescanIntervalMs: ms(fields.daemon.rescan_interval),
      stableWindowMs: ms(fields.daemon.stable_window),
      killGraceMs: ms(fields.daemon.kill_grace),
    },
  };
}

// How much output a run of `agent` may write to stdout or stderr before it is stopped (0: no limit).
export function outputLimit(config: Config, agent: string): number {
  return config.agents[agent]?.maxOutputBytes ?? config.defaults.maxOutputBytes;
}

// How long an agent may stay silent, and what happens then (its own settings, else the defaults).
export function stallPolicy(config: Config, agent: string): { timeoutMs: number; action: StallAction } {
  const own = config.agents[agent];
  return {
    timeoutMs: own?.stallTimeoutMs ?? config.defaults.stallTimeoutMs,
    action: own?.stall_action ?? config.defaults.stallAction,
  };
}
