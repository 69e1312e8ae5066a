import { readdirSync } from 'node:fs';
import { stopRunTree } from '../../process/stop-run.js';
import { taskIdOf } from '../../core/ids.js';
import { loadConfig } from '../../queue/config-file.js';
import { recordAttempt } from '../../queue/finish.js';
import type { Layout } from '../../queue/layout.js';
import { hasExitFile, readExitCode } from '../../queue/run-files.js';
import { readTaskFile } from '../../queue/task-file.js';
import { withTaskLock } from '../../queue/task-lock.js';
import { orchestrateCommand } from './command-hint.js';
import { CliError } from './errors.js';
import { latestRun, liveRunProcess } from './runs.js';

// Why a command stopped a run no daemon watched, as its attempt records it.
export interface OrphanStop {
  command: string;
  error: string;
  // Back to pending/ without using a retry (stop --kill-agents), else to failed/ (cancel).
  requeue: boolean;
}

// Stops the agent tree of a run no daemon watches, then records the attempt as cancelled the way
// the daemon would (same retry policy, same transition).
export async function stopOrphanRun(layout: Layout, id: string, how: OrphanStop): Promise<void> {
  const loaded = loadConfig(layout);
  const run = latestRun(layout, id);
  const pid = liveRunProcess(layout, id);
  // An agent that ended while no daemon watched has a real exit status: the next daemon records it.
  if (run && pid === undefined && hasExitFile(run.dir)) {
    throw new CliError(
      `${id} has already ended (its agent exited with ${readExitCode(run.dir) ?? 'an unknown status'} while no daemon ran); ${orchestrateCommand(layout, 'start')} records how`,
    );
  }
  if (run && pid !== undefined) await stopRunTree(pid, run.dir, loaded.ok ? loaded.config.killGraceMs : 5000);
  await withTaskLock(layout, id, async () => {
    const read = readTaskFile(layout.taskPath('assigned', id), id);
    if (read.kind === 'missing') throw new CliError(`${id} left assigned/ meanwhile`);
    if (read.kind !== 'task')
      throw new CliError(`${id}: the task file is not valid; fix or delete tasks/assigned/${id}.yaml`);
    const record = run?.record;
    const now = new Date().toISOString();
    const policy = loaded.ok
      ? { maxRetries: loaded.config.defaults.maxRetries, retryDelayMs: loaded.config.defaults.retryDelayMs }
      : { maxRetries: 0, retryDelayMs: 0 };
    const end = {
      number: run?.number ?? 1,
      slot: record?.slot ?? '-',
      worker: how.command,
      startedAt: record?.started_at ?? now,
      endedAt: now,
      exitCode: run ? (readExitCode(run.dir) ?? null) : null,
      outcome: 'cancelled' as const,
      error: `${how.error} (no daemon was running)`,
      requeue: how.requeue,
    };
    const source = { text: read.text, fields: read.task.fields, signature: read.signature };
    const recorded = await recordAttempt(
      layout,
      id,
      'assigned',
      source,
      end,
      policy,
      read.task.fields.created_at ?? record?.started_at ?? now,
    );
    if (recorded.moved !== 'moved')
      throw new CliError(
        `${id}: its agent was stopped, but its task file ${recorded.moved === 'taken' ? `could not move: tasks/${recorded.to}/${id}.yaml exists` : 'changed or moved meanwhile'}; see ${orchestrateCommand(layout, 'show', id)}`,
      );
  });
}

// `stop --kill-agents` with no daemon: stops every agent still running in assigned/ and puts its
// task back in pending/, as the daemon's own --kill-agents does. Runs that already ended are left
// for the next daemon, which records their real exit status.
export async function stopOrphanAgents(layout: Layout): Promise<string> {
  let names: string[] = [];
  try {
    names = readdirSync(layout.folder('assigned'));
  } catch {
    // No assigned/ folder: nothing runs.
  }
  const assigned = names.flatMap((name) => taskIdOf(name) ?? []);
  const ids = assigned.filter((id) => liveRunProcess(layout, id) !== undefined).sort();
  const ended = assigned.length - ids.length;
  // Agents that ended unwatched (or never started) are the next daemon's to record (or requeue).
  const left =
    ended === 0
      ? ''
      : `; ${ended === 1 ? '1 task' : `${ended} tasks`} in assigned/ no longer ran (\`${orchestrateCommand(layout, 'start')}\` records ${ended === 1 ? 'it' : 'them'}: see \`${orchestrateCommand(layout, 'status')}\`)`;
  if (ids.length === 0) return `${stoppedAgents(ids)}${left}`;
  const how = { command: 'orchestrate stop', error: 'interrupted by orchestrate stop --kill-agents', requeue: true };
  const failures = (await Promise.allSettled(ids.map((id) => stopOrphanRun(layout, id, how)))).flatMap((outcome) =>
    outcome.status === 'rejected' ? [(outcome.reason as Error).message] : [],
  );
  if (failures.length > 0)
    throw new CliError(
      `stopped the agents of ${ids.join(', ')}, but could not record every one:\n${failures.join('\n')}`,
    );
  return `${stoppedAgents(ids)}${left}`;
}

// What `stop --kill-agents` did, with or without a daemon: which agents it stopped.
export function stoppedAgents(ids: readonly string[]): string {
  if (ids.length === 0) return 'no agents were running';
  return ids.length === 1
    ? `stopped 1 agent (${ids[0]}); its task is back in pending/`
    : `stopped ${ids.length} agents (${ids.join(', ')}); their tasks are back in pending/`;
}
