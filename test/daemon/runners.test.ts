import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentProcesses,
  foldersOf,
  killDaemon,
  pidAlive,
  readTask,
  recordedRunner,
  runFile,
  runPid,
  startDaemon,
  tearDown,
} from '../helpers/faults.js';
import {
  cli,
  FAST_DAEMON,
  FIXTURES,
  makeWorkspace,
  waitFor,
  dropTask,
  type DaemonProcess,
  type Workspace,
} from '../helpers/workspace.js';

// `shell` tasks run on runner shells: long-lived /bin/sh processes the daemon reuses task after task.
const config = (instances: number) => `max_concurrent: ${instances}
agents:
  shell: { preset: shell, max_instances: ${instances} }
defaults: { agent: shell, retry_delay: 100ms, max_retries: 1 }
${FAST_DAEMON}`;

let workspace: Workspace | undefined;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = undefined;
  workspace = undefined;
});

const runnerOf = (root: string, id: string, attempt = 1) => {
  const pid = recordedRunner(root, id, attempt);
  expect(pid, `the runner recorded for ${id}`).toBeGreaterThan(0);
  return pid!;
};

// Whether a live process is a runner shell (it carries the runner's marker, not a run's).
const isRunnerShell = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .some((entry) => entry.startsWith('ORCHESTRATE_RUNNER='));
  } catch {
    return false;
  }
};

// A prompt a shell would act on in every way it can, were it ever given to one as text.
const HOSTILE = [
  'Fix $(touch pwned) and `touch pwned2`; it\'s "done" *',
  "  line two: $HOME ${PATH} \\n '\\'' && rm -rf ~ | cat > out &",
  '\t* ? [a-z] ~root # not a comment',
].join('\n');

describe('runner shells', () => {
  it('run shell tasks one after another in the same shells, each with its own run variables and none of the runner', async () => {
    workspace = makeWorkspace(config(1));
    const { root } = workspace;
    daemon = await startDaemon(root);
    const ids = ['seq-1', 'seq-2', 'seq-3', 'seq-4', 'seq-5'];
    for (const id of ids)
      dropTask(
        root,
        id,
        `description: one of five\ncommand: 'echo "$ORCHESTRATE_TASK_ID $ORCHESTRATE_ATTEMPT \${ORCHESTRATE_RUNNER:-none} $(basename "$ORCHESTRATE_RUN_DIR")"; sleep 0.3; exit 3'\nmax_retries: 0\n`,
      );
    await waitFor(
      'the five tasks to fail with exit 3',
      () => ids.every((id) => foldersOf(root, id).join() === 'failed'),
      30_000,
    );
    // A runner not yet looked at for leftovers since its last task is passed over while one that was
    // waits, so the two started with the daemon take turns (at most a third on a busy machine).
    const runners = new Set(ids.map((id) => runnerOf(root, id)));
    expect(runners.size).toBeLessThanOrEqual(3);
    for (const id of ids) {
      // The run is recorded with its runner (run.json, before the runner is told), and its command line
      // goes to the runner with the request: no other file.
      expect(readdirSync(join(root, '.orchestrate/runs', id, '1')).sort()).toEqual([
        'exit',
        'run.json',
        'stderr',
        'stdout',
      ]);
      expect(readFileSync(runFile(root, id, 1, 'stdout'), 'utf8')).toBe(`${id} 1 none 1\n`);
      expect(readTask(root, 'failed', id).attempts?.[0]).toMatchObject({ outcome: 'failed', exit_code: 3 });
    }
    // The runners wait for the next task; they are not agents, and they end with their daemon.
    expect([...runners].every(pidAlive)).toBe(true);
    expect(agentProcesses(root)).toEqual([]);
    expect(cli(root, ['stop']).code).toBe(0);
    await daemon.exited;
    await waitFor('the idle runners to end with their daemon', () => ![...runners].some(pidAlive), 10_000);
  });

  it('keep running a task through kill -9 of the daemon and record its real exit status for the next daemon', async () => {
    workspace = makeWorkspace(config(2));
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'survivor',
      'description: outlives its daemon\ncommand: "sleep 1; echo done; exit 7"\nmax_retries: 0\n',
    );
    const runner = await runPid(root, 'survivor');
    await killDaemon(daemon);
    await waitFor(
      'the runner to record the exit status',
      () => existsSync(runFile(root, 'survivor', 1, 'exit')),
      10_000,
    );
    expect(readFileSync(runFile(root, 'survivor', 1, 'exit'), 'utf8').trim()).toBe('7');
    // With no daemon to tell, the runner ends rather than wait for tasks that will never come.
    await waitFor('the runner to end', () => !pidAlive(runner), 10_000);
    daemon = await startDaemon(root);
    await waitFor('the next daemon to collect it', () => foldersOf(root, 'survivor').join() === 'failed', 20_000);
    expect(readTask(root, 'failed', 'survivor').attempts?.[0]).toMatchObject({ outcome: 'failed', exit_code: 7 });
    expect(readFileSync(runFile(root, 'survivor', 1, 'stdout'), 'utf8')).toBe('done\n');
  });

  it('record a task whose runner was killed as lost, retry it on a new runner and stop what the task left', async () => {
    workspace = makeWorkspace(config(2));
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(
      root,
      'orphaned',
      'description: its runner dies\ncommand: "if [ $ORCHESTRATE_ATTEMPT = 1 ]; then echo $$ > first.pid; sleep 30; fi"\n',
    );
    const runner = await runPid(root, 'orphaned');
    await waitFor('the task to start', () => existsSync(`${root}/first.pid`));
    process.kill(runner, 'SIGKILL');
    await waitFor('the retry to complete', () => foldersOf(root, 'orphaned').join() === 'completed', 20_000);
    const attempts = readTask(root, 'completed', 'orphaned').attempts!;
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['lost', 'success']);
    expect(runnerOf(root, 'orphaned', 2)).not.toBe(runner);
    await waitFor("the first attempt's sleep to be stopped", () => agentProcesses(root).length === 0, 10_000);
  });

  it('survive the cancel of their task, record its status and take tasks again', async () => {
    workspace = makeWorkspace(config(1));
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'cancelled', 'description: cancelled\ncommand: sleep 30\n');
    const runner = await runPid(root, 'cancelled');
    await waitFor('the sleep to start', () => agentProcesses(root).length > 0);
    expect(cli(root, ['cancel', 'cancelled']).code).toBe(0);
    await waitFor('the task to be cancelled', () => foldersOf(root, 'cancelled').join() === 'failed', 20_000);
    expect(readTask(root, 'failed', 'cancelled').result?.outcome).toBe('cancelled');
    // SIGINT ended the task (exit 130); the runner recorded it and went back to the pool.
    expect(readFileSync(runFile(root, 'cancelled', 1, 'exit'), 'utf8').trim()).toBe('130');
    const ids = ['after-1', 'after-2', 'after-3', 'after-4'];
    for (const id of ids) dropTask(root, id, 'description: after\ncommand: sleep 0.3\n');
    await waitFor(
      'the tasks after it to complete',
      () => ids.every((id) => foldersOf(root, id).join() === 'completed'),
      30_000,
    );
    expect(ids.map((id) => runnerOf(root, id))).toContain(runner);
    expect(agentProcesses(root)).toEqual([]);
  });

  it('fail a task whose agent works in a missing folder, naming the folder and the setting', async () => {
    workspace = makeWorkspace(
      `agents:\n  elsewhere: { preset: shell, cwd: not-there }\ndefaults: { agent: elsewhere, max_retries: 0 }\n${FAST_DAEMON}`,
    );
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'nowhere', 'description: nowhere\ncommand: "true"\n');
    await waitFor('the task to fail', () => foldersOf(root, 'nowhere').join() === 'failed', 20_000);
    expect(readTask(root, 'failed', 'nowhere').attempts?.[0]).toMatchObject({
      outcome: 'spawn_error',
      error: `the working folder ${root}/not-there does not exist (create it, or fix agents.elsewhere.cwd in orchestrator.yaml)`,
    });
  });

  it('run argv agents too: each gets its argv byte for byte, its environment, folder and empty stdin', async () => {
    workspace = makeWorkspace(`max_concurrent: 1
agents:
  argv: { command: [${JSON.stringify(join(FIXTURES, 'argv-agent.sh'))}, "{prompt}", "--", "it's", "$(x)"], max_instances: 1, env: { GREETING: "hi there" } }
defaults: { agent: argv, max_retries: 0 }
${FAST_DAEMON}`);
    const { root } = workspace;
    daemon = await startDaemon(root);
    const ids = ['argv-1', 'argv-2', 'argv-3'];
    for (const id of ids) {
      dropTask(root, id, `description: ${JSON.stringify(`${HOSTILE}\n${id}`)}\n`);
      await waitFor(`${id} to complete`, () => foldersOf(root, id).join() === 'completed', 30_000);
    }
    for (const id of ids) {
      const prompt = readFileSync(runFile(root, id, 1, 'prompt.md'), 'utf8');
      expect(prompt).toContain(`${HOSTILE}\n${id}`);
      const argv = readFileSync(runFile(root, id, 1, 'stdout'), 'utf8')
        .split('\0')
        .slice(0, -1);
      expect(argv).toEqual([prompt, '--', "it's", '$(x)']);
      expect(readFileSync(runFile(root, id, 1, 'stderr'), 'utf8')).toBe(
        `task=${id} attempt=1 run=${join(root, '.orchestrate/runs', id, '1')} greeting=hi there cwd=${root} stdin=(empty)\n`,
      );
    }
    expect(readdirSync(root).filter((name) => name.startsWith('pwned') || name === 'out')).toEqual([]);
    // Their runs took the runner shells started with the daemon (two per slot), one after another.
    const runners = new Set(ids.map((id) => runnerOf(root, id)));
    expect(runners.size).toBeLessThanOrEqual(2);
    expect([...runners].every(isRunnerShell)).toBe(true);
  });

  it('run a burst of short tasks on the runners started with the daemon, not one new runner after another', async () => {
    workspace = makeWorkspace(config(2));
    const { root } = workspace;
    daemon = await startDaemon(root);
    const ids = Array.from({ length: 60 }, (_, n) => `burst-${n}`);
    for (const id of ids) dropTask(root, id, 'description: no-op\ncommand: "true"\n');
    await waitFor('the burst to complete', () => ids.every((id) => foldersOf(root, id).join() === 'completed'), 60_000);
    // Two runners per slot wait from the start; a runner takes its next task as soon as it is back.
    expect(new Set(ids.map((id) => runnerOf(root, id))).size).toBeLessThanOrEqual(4);
  });
});
