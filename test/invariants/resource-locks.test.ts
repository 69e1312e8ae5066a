// Resource locks: two tasks whose locks overlap never run at the same time, across a kill -9 of
// the daemon; the lockfile under .orchestrate/locks/ is taken before the agent is spawned and
// released on every end (success, failure, timeout, cancel, spawn error, a run collected after a
// crash), and start-up sweeps the lockfiles of runs that are gone.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  dropTask,
  FAST_DAEMON,
  idsIn,
  makeWorkspace,
  waitFor,
  type DaemonProcess,
  type Workspace,
} from '../helpers/workspace.js';
import {
  cliAsync,
  deadPid,
  faultWorkspace,
  foldersOf,
  killDaemon,
  readTask,
  startDaemon,
  tearDown,
} from '../helpers/faults.js';

let workspace: Workspace | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

// A shell task that appends "start <id> <ns>" and, unless killed first, "end <id> <ns>" to a log,
// then exits with `exitCode`.
function timedTask(root: string, id: string, locks: string[], seconds: number, extra = '', exitCode = 0): void {
  const stamp = (what: string) => `echo "${what} ${id} $(date +%s%N)" >> ${join(root, 'times.log')}`;
  dropTask(
    root,
    id,
    `description: ${id}\nagent: shell\nlocks: ${JSON.stringify(locks)}\ncommand: ${JSON.stringify(`${stamp('start')}; sleep ${seconds}; ${stamp('end')}; exit ${exitCode}`)}\n${extra}`,
  );
}

// Each task's start and end (ns) from the log; a task killed before its end has none.
function times(root: string): Map<string, { start?: bigint; end?: bigint }> {
  const path = join(root, 'times.log');
  const found = new Map<string, { start?: bigint; end?: bigint }>();
  if (!existsSync(path)) return found;
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const [what, id, ns] = line.split(' ') as ['start' | 'end', string, string];
    found.set(id, { ...found.get(id), [what]: BigInt(ns) });
  }
  return found;
}

const heldFiles = (root: string) =>
  readdirSync(join(root, '.orchestrate/locks'))
    .filter((name) => name.endsWith('.held'))
    .sort();

describe('resource locks', () => {
  it('holds a lock through kill -9 of the daemon until its task ends; the overlapping task starts only after', async () => {
    workspace = faultWorkspace({ withMarker: false, defaultAgent: 'shell' });
    const { root } = workspace;
    daemon = await startDaemon(root);
    timedTask(root, 'long', ['src/**'], 2);
    await waitFor('long to start', () => times(root).get('long')?.start !== undefined);
    expect(heldFiles(root)).toEqual(['long.held']);

    await killDaemon(daemon);
    timedTask(root, 'short', ['src/api.ts'], 0.1);
    timedTask(root, 'unrelated', ['docs/**'], 0.1);
    daemon = await startDaemon(root);

    // Sampled until long's task file is final: its lockfile exists for as long as it has not ended.
    const violations: string[] = [];
    await waitFor(
      'long to complete',
      () => {
        const held = existsSync(join(root, '.orchestrate/locks/long.held'));
        const state = foldersOf(root, 'long').join();
        if (!held && state !== 'completed') violations.push(`long.held missing while long is in ${state}/`);
        return state === 'completed';
      },
      30_000,
      10,
    );
    expect(violations).toEqual([]);
    await waitFor(
      'short and unrelated to complete',
      () => ['short', 'unrelated'].every((id) => foldersOf(root, id).join() === 'completed'),
      30_000,
    );
    const log = times(root);
    expect(log.get('short')!.start! > log.get('long')!.end!, 'short started before long ended').toBe(true);
    // A lock that does not overlap was never held up: unrelated ran while long was still running.
    expect(log.get('unrelated')!.start! < log.get('long')!.end!).toBe(true);
    expect(daemon.output()).toContain('re-adopted long');
    // A lock is released once its task's end is recorded, a moment after the file moved.
    await waitFor('every lock to be released', () => heldFiles(root).length === 0, 10_000);
  });

  it('releases the lock of a run that ended while no daemon watched, and sweeps lockfiles of runs that are gone', async () => {
    workspace = faultWorkspace({ withMarker: false, defaultAgent: 'shell' });
    const { root } = workspace;
    daemon = await startDaemon(root);
    timedTask(root, 'brief', ['db'], 0.5);
    await waitFor('brief to start', () => times(root).get('brief')?.start !== undefined);
    await killDaemon(daemon);
    await waitFor('brief to end with no daemon', () => times(root).get('brief')?.end !== undefined);
    expect(heldFiles(root)).toEqual(['brief.held']);
    // What a daemon killed between taking a lock and spawning leaves: a lockfile whose owner and run are gone.
    const ghost = {
      task: 'ghost',
      attempt: 1,
      locks: ['db'],
      owner: { host: (await import('node:os')).hostname(), pid: deadPid(), start: '1' },
      taken_at: new Date().toISOString(),
    };
    writeFileSync(join(root, '.orchestrate/locks/ghost.held'), `${JSON.stringify(ghost)}\n`);
    timedTask(root, 'next', ['db'], 0.1);

    daemon = await startDaemon(root);
    await waitFor('next to complete', () => foldersOf(root, 'next').join() === 'completed', 30_000);
    expect(readTask(root, 'completed', 'brief').attempts?.[0]?.outcome).toBe('success');
    expect(daemon.output()).toContain('released the locks of ghost: its run is gone');
    expect(heldFiles(root)).toEqual([]);
  });

  it('releases the lock on every end: success, failure, timeout, cancel and spawn error, one holder at a time', async () => {
    workspace = makeWorkspace(
      `max_concurrent: 4\nagents:\n  shell: { preset: shell, max_instances: 4 }\n  ghost: { command: ["no-such-agent-cli", "{prompt}"], max_instances: 1 }\ndefaults: { agent: shell, max_retries: 0 }\n${FAST_DAEMON}`,
    );
    const { root } = workspace;
    daemon = await startDaemon(root);
    timedTask(root, 'cancelled', ['db'], 30);
    await waitFor('the first holder to start', () => times(root).get('cancelled')?.start !== undefined);
    timedTask(root, 'succeeds', ['db/**'], 0.1);
    timedTask(root, 'fails', ['db'], 0.1, 'max_retries: 0\n', 3);
    timedTask(root, 'times-out', ['db'], 30, 'timeout: 300ms\n');
    dropTask(root, 'cannot-spawn', 'description: c\nagent: ghost\nlocks: [db]\n');
    dropTask(
      root,
      'last',
      `description: l\nlocks: [db]\nafter: [succeeds, fails, times-out, cannot-spawn]\ncommand: "true"\n`,
    );
    await waitFor('the others to queue behind the lock', async () => {
      const report = JSON.parse((await cliAsync(root, ['status', '--json'])).stdout) as {
        waiting: { rows: { reason: { kind: string } }[] };
      };
      return report.waiting.rows.filter((row) => row.reason.kind === 'lock').length >= 4;
    });
    expect(heldFiles(root)).toEqual(['cancelled.held']);
    expect((await cliAsync(root, ['cancel', 'cancelled'])).code).toBe(0);
    await waitFor(
      'every task to end',
      () => idsIn(root, 'pending').length === 0 && idsIn(root, 'assigned').length === 0,
      60_000,
    );
    expect(
      Object.fromEntries(
        ['cancelled', 'succeeds', 'fails', 'times-out', 'cannot-spawn', 'last'].map((id) => [
          id,
          readTask(root, foldersOf(root, id)[0]!, id).result?.outcome,
        ]),
      ),
    ).toEqual({
      cancelled: 'cancelled',
      succeeds: 'success',
      fails: 'failed',
      'times-out': 'timeout',
      'cannot-spawn': 'spawn_error',
      last: 'success',
    });
    const log = times(root);
    const spans = [...log.entries()].map(([id, span]) => ({ id, start: span.start!, end: span.end ?? span.start! }));
    for (const one of spans)
      for (const other of spans)
        if (one.id !== other.id)
          expect(one.end < other.start || other.end < one.start, `${one.id} overlapped ${other.id}`).toBe(true);
    await waitFor('every lock to be released', () => heldFiles(root).length === 0, 10_000);
  });
});
