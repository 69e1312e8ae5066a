// Invariant 5, no torn files: every file the daemon writes is written atomically; no reader ever
// sees half a file; temp files left by a crash are swept at start-up. And the other side of it: a
// person's half-written file is "not yet", never "invalid".
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dropTask, idsIn, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import {
  deadPid,
  faultWorkspace,
  foldersOf,
  readTask,
  startDaemon,
  tearDown,
  waitAllFinished,
} from '../helpers/faults.js';

let workspace: (Workspace & { marker: string }) | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

describe('no torn files', () => {
  it('waits for slow writers: a file that is half written for longer than stable_window still runs', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    daemon = await startDaemon(root);
    // Three ways to be caught half-way: inside a quoted string, before a required field, inside a key.
    const halves: Record<string, [string, string]> = {
      'slow-quote': ['description: "half', ' of a slow task"\nagent: shell\ncommand: echo slow-quote-ran\n'],
      'slow-field': ['agent: shell\ncommand: echo slow-field-ran\n', 'description: the description comes last\n'],
      'slow-key': ['agent: shell\ncommand: echo slow-key-ran\ndescrip', 'tion: cut inside a key\n'],
    };
    for (const [id, [first]] of Object.entries(halves)) writeFileSync(join(root, 'tasks/pending', `${id}.yaml`), first);
    // Longer than stable_window (50ms) and than a rescan (300ms), shorter than the 2s parse grace.
    await sleep(700);
    for (const [id, [, rest]] of Object.entries(halves))
      appendFileSync(join(root, 'tasks/pending', `${id}.yaml`), rest);

    const ids = Object.keys(halves);
    await waitAllFinished(root, ids, 30_000);
    for (const id of ids) {
      expect(foldersOf(root, id), id).toEqual(['completed']);
      expect(existsSync(join(root, 'tasks/failed', `${id}.error`)), id).toBe(false);
      expect(readFileSync(join(root, 'context/agent_outputs', `${id}.md`), 'utf8')).toBe(`${id}-ran\n`);
      expect(readTask(root, 'completed', id).attempts, id).toHaveLength(1);
    }
    expect(idsIn(root, 'failed')).toEqual([]);
  });

  it('sweeps temp files left by a crashed writer at start-up, and never reads them as tasks', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    const dead = deadPid();
    const leftovers = [
      'tasks/pending',
      'tasks/assigned',
      'tasks/completed',
      'tasks/failed',
      'context',
      'context/agent_outputs',
      '.orchestrate',
    ].map((dir) => {
      mkdirSync(join(root, dir), { recursive: true });
      const path = join(root, dir, `.x.yaml.${dead}.1.tmp`);
      writeFileSync(path, 'description: "half a task');
      return path;
    });
    // A temp file whose writer is alive (this test) is being written: it must be left alone.
    const live = join(root, 'tasks/pending', `.y.yaml.${process.pid}.1.tmp`);
    writeFileSync(live, 'description: still being written\n');

    daemon = await startDaemon(root);
    for (const path of leftovers) expect(existsSync(path), path).toBe(false);
    expect(existsSync(live)).toBe(true);
    dropTask(root, 'after-sweep', 'description: runs after the sweep\nagent: shell\ncommand: echo ok\n');
    await waitFor('the task to complete', () => foldersOf(root, 'after-sweep').join() === 'completed');
    expect(idsIn(root, 'failed')).toEqual([]);
    expect(readdirSync(join(root, 'tasks/failed'))).toEqual([]);
    expect(existsSync(live)).toBe(true);
  });

  it('never lets a reader see half of a task file, an output, a run record or a summary during a busy run', async () => {
    workspace = faultWorkspace({ withMarker: false });
    const { root } = workspace;
    // Big task files and big outputs make a non-atomic write easy to catch half-way.
    const filler = `# ${'padding '.repeat(40)}\n`.repeat(400);
    const ids = Array.from({ length: 80 }, (_, n) => `torn-${String(n).padStart(2, '0')}`);
    for (const id of ids)
      dropTask(
        root,
        id,
        `${filler}description: big task ${id}\nagent: shell\ncommand: yes xxxxxxxxx | head -c 200000; echo END-${id}\n`,
      );
    daemon = await startDaemon(root);

    const problems: string[] = [];
    let reads = 0;
    const check = (path: string, verify: (text: string) => string | undefined) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return; // Moved or not there yet: not a torn read.
      }
      reads++;
      const problem = verify(text);
      if (problem) problems.push(`${path.slice(root.length + 1)}: ${problem}`);
    };
    const taskFile = (state: string) => (text: string) => {
      let data: { description?: string; result?: unknown; attempts?: unknown[] };
      try {
        data = parse(text) as typeof data;
      } catch (error) {
        return `not YAML (${(error as Error).message.split('\n')[0]}) after ${text.length} chars`;
      }
      if (!data?.description) return `no description after ${text.length} chars`;
      if (state === 'completed' && (!data.result || !data.attempts?.length)) return 'in completed/ without its result';
      return undefined;
    };
    const json = (text: string) => {
      try {
        JSON.parse(text);
        return undefined;
      } catch {
        return `not JSON after ${text.length} chars`;
      }
    };
    // The index cache: its header, then whole lines of six tab-separated fields ending in JSON.
    const indexFile = (text: string) => {
      const lines = text.split('\n');
      if (lines[0] !== 'orchestrate-index 2' || lines.at(-1) !== '') return `index of ${text.length} chars`;
      const torn = lines
        .slice(1, -1)
        .find((line) => line.split('\t').length !== 6 || json(line.split('\t')[5]!) !== undefined);
      return torn === undefined ? undefined : `torn index line ${JSON.stringify(torn.slice(0, 80))}`;
    };
    let done = false;
    const reader = (async () => {
      while (!done) {
        for (const state of ['pending', 'assigned', 'completed', 'failed']) {
          for (const name of readdirSync(join(root, 'tasks', state))) {
            if (name.endsWith('.yaml') && !name.startsWith('.'))
              check(join(root, 'tasks', state, name), taskFile(state));
          }
        }
        for (const name of readdirSync(join(root, 'context/agent_outputs'))) {
          if (name.startsWith('.')) continue;
          const id = name.slice(0, -'.md'.length);
          check(join(root, 'context/agent_outputs', name), (text) =>
            text.length === 200_000 + `END-${id}\n`.length && text.endsWith(`END-${id}\n`)
              ? undefined
              : `output of ${text.length} chars`,
          );
        }
        check(join(root, 'context/completed_tasks.json'), json);
        check(join(root, '.orchestrate/index.tsv'), indexFile);
        check(join(root, '.orchestrate/daemon.json'), json);
        const runs = join(root, '.orchestrate/runs');
        for (const id of existsSync(runs) ? readdirSync(runs) : []) {
          for (const attempt of readdirSync(join(runs, id))) {
            check(join(runs, id, attempt, 'run.json'), json);
          }
        }
        await sleep(1);
      }
    })();
    try {
      await waitAllFinished(root, ids, 120_000);
    } finally {
      done = true;
      await reader;
    }
    expect(reads).toBeGreaterThan(100);
    expect(problems.slice(0, 10)).toEqual([]);
    for (const id of ids) expect(foldersOf(root, id), id).toEqual(['completed']);
  });
});
