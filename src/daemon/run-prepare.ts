import { join } from 'node:path';
import { findProgram, launchAgent, programNotFound } from '../agents/agent-program.js';
import { promptWithRole } from '../agents/launch-args.js';
import type { SpawnRequest } from '../process/runner-script.js';
import { buildPrompt } from '../context/prompt.js';
import { agentEnv } from '../core/agent-environment.js';
import { formatProblem } from '../core/problems.js';
import type { AttemptOutcome, Task } from '../core/task-schema.js';
import { worktreePlan } from '../core/worktree.js';
import { writeFileAtomicSync } from '../queue/atomic-write.js';
import { agentFolder } from '../queue/input-paths.js';
import { makeRunDir, type RunRecord } from '../queue/run-files.js';
import type { DaemonContext } from './context.js';
import type { LiveRun } from './live-run.js';
import { prepareRunWorktree } from './worktree-run.js';

// One argv word is limited to 128 KB on Linux: a longer prompt is handed over as its file.
const ARGV_PROMPT_LIMIT = 100_000;

const pointerPrompt = (promptFile: string) =>
  `Your task is in the file ${promptFile} (it is too long for the command line). Read that whole file first, then do what it says.`;

// What a run needs before its agent can be spawned, or why it cannot be.
export type PreparedRun =
  // The record is written with the runner the run is handed to (see Spawner.start).
  | { kind: 'ready'; request: SpawnRequest; record: RunRecord; timeoutMs: number }
  | { kind: 'failed'; error: string; outcome?: AttemptOutcome }
  // A stop arrived while its worktree was being made: nothing is left to do.
  | { kind: 'aborted' };

// Everything between a claim and a spawn: the run's worktree and folder, its prompt and command
// line, and its record (written with the runner it is handed to, before that runner is told, so a
// crash after it never loses the run).
export async function prepareRun(ctx: DaemonContext, run: LiveRun, task: Task): Promise<PreparedRun> {
  const { layout } = ctx;
  // Read together: a reload swaps both at once, and the awaits below must not mix the two.
  const config = ctx.config();
  const environment = ctx.environment();
  const agentConfig = config.agents[run.agent]!;
  const timeoutMs = task.timeoutMs ?? agentConfig.timeoutMs ?? config.defaults.timeoutMs;
  const promptFile = join(run.runDir, 'prompt.md');
  let base = layout.root;
  const plan = worktreePlan(task.fields, config.worktree);
  if (plan) {
    const prepared = await prepareRunWorktree(ctx, run, plan, timeoutMs);
    if ('aborted' in prepared) return { kind: 'aborted' };
    if (!prepared.ok) return { kind: 'failed', error: prepared.error, outcome: prepared.outcome };
    base = prepared.workdir;
  }
  // Checked again (a symlink may have changed since the config was loaded). Spawning in a missing
  // folder would fail as "spawn /bin/sh ENOENT", which names the wrong thing.
  const folder = agentFolder(base, agentConfig, run.agent, plan ? 'worktree' : 'workspace');
  if (folder.kind === 'outside') return { kind: 'failed', error: formatProblem('orchestrator.yaml', folder.problem) };
  if (folder.kind === 'missing')
    return {
      kind: 'failed',
      error: `the working folder ${folder.path} does not exist (create it, or fix agents.${run.agent}.cwd in orchestrator.yaml)`,
    };
  const workdir = folder.path;
  const systemPrompt = task.fields.role === undefined ? undefined : config.roles[task.fields.role];
  // The shell agent's "prompt" is its command, already in the task file: nothing to save.
  let prompt =
    agentConfig.preset === 'shell'
      ? (task.fields.command ?? task.fields.description)
      : buildPrompt(layout.root, task, config.contextFiles, run.worktree);
  if (agentConfig.preset !== 'shell') {
    // Synchronous, like the run's record: a few small file operations cost less than hops to the
    // thread pool and back.
    makeRunDir(run.runDir);
    writeFileAtomicSync(promptFile, promptWithRole({ prompt, systemPrompt }), { durable: false });
    if (Buffer.byteLength(prompt) + Buffer.byteLength(systemPrompt ?? '') > ARGV_PROMPT_LIMIT)
      prompt = pointerPrompt(promptFile);
  }
  const record: RunRecord = {
    task_id: run.id,
    attempt: run.number,
    agent: run.agent,
    slot: run.slot,
    worker: ctx.worker,
    started_at: run.startedAt,
    timeout_ms: timeoutMs,
    ...(run.worktree ? { worktree: run.worktree } : {}),
  };
  const launch = launchAgent({
    taskId: run.id,
    task: task.fields,
    prompt,
    promptFile,
    workdir,
    agent: agentConfig,
    ...(systemPrompt ? { systemPrompt } : {}),
  });
  const env: Record<string, string | undefined> = {
    ...agentEnv(environment, layout.root, agentConfig),
    ORCHESTRATE_TASK_ID: run.id,
    ORCHESTRATE_ATTEMPT: String(run.number),
    ORCHESTRATE_PROMPT_FILE: promptFile,
  };
  if (launch.kind === 'refused')
    return { kind: 'failed', error: `${run.agent}: ${launch.error} (fix agents.${run.agent} in orchestrator.yaml)` };
  // A missing CLI is a clear spawn_error, not a "not found" buried in the agent's stderr.
  if (launch.kind === 'exec' && findProgram(launch, workdir, env) === undefined)
    return { kind: 'failed', error: programNotFound(run.agent, agentConfig, launch.argv[0]!) };
  return { kind: 'ready', request: { runDir: run.runDir, launch, cwd: workdir, env }, record, timeoutMs };
}
