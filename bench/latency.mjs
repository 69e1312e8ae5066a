// (c) Pickup latency: how long after a task is submitted its agent is running.
//
// "Running" is stamped by the agent itself: the task's command is `date +%s%N > <file>`, so the
// stamp is taken once the daemon has claimed the task, recorded the run, spawned its /bin/sh wrapper
// and that shell has started `date`. The stamp therefore includes the cost of starting sh and date,
// which is measured separately (a bare Node spawn of the same command) and reported beside it so a
// reader can subtract it. File mtimes are not used: ext4 stamps them from a coarse 4 ms clock.
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeWorkspace,
  median,
  orch,
  percentile,
  pollUntil,
  progress,
  realNow,
  removeTemp,
  sleep,
  startDaemon,
  stopDaemon,
  syncRealClock,
  taskNames,
  tempDir,
} from './lib.mjs';

// Reads a `date +%s%N` stamp once it is whole; milliseconds since the epoch.
function readStamp(path) {
  try {
    const text = readFileSync(path, 'utf8');
    if (!/^\d+\n$/.test(text)) return undefined;
    return Number(BigInt(text.trim()) / 1000n) / 1000;
  } catch {
    return undefined;
  }
}

async function waitStamp(path) {
  let stamp;
  await pollUntil(() => (stamp = readStamp(path)) !== undefined, {
    everyMs: 2,
    timeoutMs: 30_000,
    what: `the agent to write ${path}`,
  });
  return stamp;
}

const stampCommand = (dir) => `date +%s%N > ${dir}/$ORCHESTRATE_TASK_ID.t`;

// What the stamp itself costs: spawn of `/bin/sh -c 'date +%s%N > f'` from Node until the stamp.
async function instrumentOverhead(dir, samples) {
  const values = [];
  for (let i = 0; i < samples; i++) {
    const file = join(dir, `overhead-${i}.t`);
    syncRealClock();
    const t0 = realNow();
    spawn('/bin/sh', ['-c', `date +%s%N > ${file}`], { stdio: 'ignore' });
    values.push((await waitStamp(file)) - t0);
    await sleep(5);
  }
  return values;
}

function summary(values) {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values), samples: values.length };
}

// Submits `samples` tasks one after another, each with the daemon idle (previous task completed).
export async function benchLatency({ samples }) {
  const root = makeWorkspace('latency');
  const stamps = tempDir('stamps');
  mkdirSync(stamps, { recursive: true });
  const completed = join(root, 'tasks/completed');
  const pending = join(root, 'tasks/pending');
  const added = { afterReturn: [], afterInvoke: [], afterCreatedAt: [], addMs: [] };
  const dropped = [];
  try {
    startDaemon(root);
    await sleep(300);
    progress(`(c) ${samples} × orchestrate add, one at a time...`);
    for (let i = 1; i <= samples; i++) {
      const id = `add-${i}`;
      syncRealClock();
      const invoked = realNow();
      const result = await orch(root, ['add', '--id', id, '--command', stampCommand(stamps), `latency probe ${i}`]);
      const returned = invoked + (result.exitedAt - result.startedAt);
      if (result.code !== 0 || result.stdout.trim() !== id) throw new Error(`orchestrate add failed: ${result.stderr}`);
      const stamp = await waitStamp(join(stamps, `${id}.t`));
      added.afterReturn.push(stamp - returned);
      added.afterInvoke.push(stamp - invoked);
      added.addMs.push(returned - invoked);
      await pollUntil(() => taskNames(completed).includes(`${id}.yaml`), { everyMs: 5, what: `${id} to complete` });
      // created_at is stamped by `add` (ms resolution) just before it links the file into pending/.
      const createdAt = Date.parse(
        /^created_at: (.*)$/m.exec(readFileSync(join(completed, `${id}.yaml`), 'utf8'))?.[1] ?? '',
      );
      if (createdAt) added.afterCreatedAt.push(stamp - createdAt);
      await sleep(30);
    }
    progress(`(c) ${samples} × task file renamed into tasks/pending/, one at a time...`);
    for (let i = 1; i <= samples; i++) {
      const id = `drop-${i}`;
      const temp = join(pending, `.${id}.yaml.tmp`);
      writeFileSync(temp, `description: latency probe ${i}\ncommand: ${JSON.stringify(stampCommand(stamps))}\n`);
      syncRealClock();
      renameSync(temp, join(pending, `${id}.yaml`));
      const renamed = realNow();
      dropped.push((await waitStamp(join(stamps, `${id}.t`))) - renamed);
      await pollUntil(() => taskNames(completed).includes(`${id}.yaml`), { everyMs: 5, what: `${id} to complete` });
      await sleep(30);
    }
    const overhead = await instrumentOverhead(stamps, Math.min(samples, 30));
    return {
      add: {
        ...summary(added.afterReturn),
        afterInvoke: summary(added.afterInvoke),
        afterCreatedAt: added.afterCreatedAt.length ? summary(added.afterCreatedAt) : undefined,
        addMsMedian: median(added.addMs),
        negative: added.afterReturn.filter((v) => v < 0).length,
      },
      drop: summary(dropped),
      overhead: { p50: percentile(overhead, 50), max: Math.max(...overhead) },
    };
  } finally {
    stopDaemon(root);
    removeTemp(root);
    removeTemp(stamps);
  }
}
