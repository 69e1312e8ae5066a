// When the daemon wakes itself, and what it leaves when it stops: the work it had under way done
// and recorded, and no timer of its own still armed (one armed after the stop would write files,
// or run a pass, for a daemon that has returned, and holds its process open until it fires).
import { spawn } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, runDaemon } from '../../src/index.js';
import { destroyWorkspace, faultWorkspace, foldersOf, readTask } from '../helpers/faults.js';
import { dropTask, FIXTURES, idsIn, makeWorkspace, waitFor, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
let stop: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
  if (ws) await destroyWorkspace(ws);
  ws = undefined;
});

// An in-process daemon whose log messages are kept in `lines`.
function startDaemon(root: string): { lines: string[]; abort: () => void; done: Promise<unknown> } {
  const lines: string[] = [];
  const logger = createLogger({
    pretty: false,
    destination: {
      write: (text: string) => {
        for (const line of text.split('\n').filter(Boolean)) lines.push(String(JSON.parse(line).msg));
      },
    } as NodeJS.WritableStream,
  });
  const controller = new AbortController();
  const done = runDaemon({ root, signal: controller.signal, logger });
  stop = async () => {
    controller.abort();
    await done;
  };
  return { lines, abort: () => controller.abort(), done };
}

// The daemon as a library in a process of its own (test/fixtures/library-daemon.mjs); `stop`
// resolves with what it printed once runDaemon returned.
function startLibraryDaemon(root: string): { output: () => string; stop: () => Promise<string> } {
  const child = spawn(process.execPath, [join(FIXTURES, 'library-daemon.mjs'), root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopChild = async () => {
    child.kill('SIGUSR2');
    await exited;
    return output;
  };
  stop = stopChild;
  return { output: () => output, stop: stopChild };
}

const loggedMessages = (output: string): string[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => String(JSON.parse(line).msg));

describe('the wake timer', () => {
  // Two things to wake for, and nothing else to wake the daemon for an hour (no rescan, no watch
  // event): a task whose retry time is `retryInMs` away, read at once (its file is old), and a new
  // file that is read once it has been left alone for `stableWindow`.
  const twoWakes = (stableWindow: string, retryInMs: number): string => {
    ws = makeWorkspace(
      `agents:\n  shell: { preset: shell }\ndefaults: { agent: shell }\ndaemon: { rescan_interval: 1h, stable_window: ${stableWindow} }\n`,
    );
    const later = join(ws.root, 'tasks/pending/later.yaml');
    const retryAfter = new Date(Date.now() + retryInMs).toISOString();
    writeFileSync(later, `description: later\ncommand: "true"\nretry_after: ${retryAfter}\n`);
    const past = new Date(Date.now() - 2 * 3600_000);
    utimesSync(later, past, past);
    dropTask(ws.root, 'settling', 'description: settling\ncommand: "true"\n');
    startDaemon(ws.root);
    return ws.root;
  };

  it("wakes the loop at a task's retry time while another file waits longer to settle", async () => {
    const root = twoWakes('1h', 1000);
    await waitFor('the task to run at its retry time', () => idsIn(root, 'completed').includes('later'));
    expect(idsIn(root, 'pending')).toEqual(['settling']);
  });

  it("reads a settling file at its time while another task's retry is an hour away", async () => {
    const root = twoWakes('1s', 3600_000);
    await waitFor('the settled file to run', () => idsIn(root, 'completed').includes('settling'));
    expect(idsIn(root, 'pending')).toEqual(['later']);
  });
});

describe('a stop', () => {
  // The agent ignores SIGINT and SIGTERM: its timeout's stop takes two grace periods of 1 s.
  const stubbornTimeout = (): Workspace => {
    const fault = faultWorkspace({ withMarker: false });
    const config = join(fault.root, 'orchestrator.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('kill_grace: 300ms', 'kill_grace: 1s'));
    dropTask(fault.root, 'slow', 'description: slow\nagent: stubborn\ntimeout: 1s\nmax_retries: 0\n');
    return fault;
  };

  it('waits for a run being stopped and records its end before it returns', async () => {
    ws = stubbornTimeout();
    const { root } = ws;
    const daemon = startDaemon(root);
    await waitFor('the timeout to stop the agent', () => daemon.lines.some((line) => line.startsWith('stopping slow')));
    daemon.abort();
    await daemon.done;
    expect(foldersOf(root, 'slow')).toEqual(['failed']);
    expect(readTask(root, 'failed', 'slow').attempts?.[0]?.outcome).toBe('timeout');
    const events = readFileSync(join(root, '.orchestrate/events.jsonl'), 'utf8').trim().split('\n');
    expect(events.map((line) => JSON.parse(line)).filter((event) => event.type === 'finished')).toEqual([
      expect.objectContaining({ id: 'slow', outcome: 'timeout', to: 'failed' }),
    ]);
    expect(daemon.lines.at(-1)).toBe('daemon stopped');
  });

  it('leaves no timer armed when it returns while a run was being stopped', async () => {
    ws = stubbornTimeout();
    const daemon = startLibraryDaemon(ws.root);
    await waitFor('the timeout to stop the agent', () =>
      loggedMessages(daemon.output()).some((line) => line.startsWith('stopping slow')),
    );
    expect(await daemon.stop()).toContain('timers left after return: 0\n');
  });

  it('leaves no reload of orchestrator.yaml pending when the file changed just before', async () => {
    ws = makeWorkspace();
    const config = join(ws.root, 'orchestrator.yaml');
    const text = readFileSync(config, 'utf8');
    const daemon = startLibraryDaemon(ws.root);
    await waitFor('the daemon to start', () =>
      loggedMessages(daemon.output()).some((line) => line.startsWith('daemon started')),
    );
    writeFileSync(config, `${text}# changed\n`);
    await waitFor('the change to be reloaded', () =>
      loggedMessages(daemon.output()).includes('reloaded orchestrator.yaml and .env'),
    );
    // Changes keep coming, so a reload is always pending when the stop arrives.
    let writes = 0;
    const writer = setInterval(() => writeFileSync(config, `${text}${'#'.repeat(++writes % 2)}\n`), 5);
    try {
      await waitFor('a few more changes', () => writes >= 10);
      const output = await daemon.stop();
      // No reload while the daemon stopped, nor one armed to come after.
      expect(loggedMessages(output.slice(output.indexOf('stop requested\n')))).not.toContain(
        'reloaded orchestrator.yaml and .env',
      );
      expect(output).toContain('timers left after return: 0\n');
    } finally {
      clearInterval(writer);
    }
  });
});
