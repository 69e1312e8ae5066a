// (g) orchestrate's own overhead per agent run: from the task claimed to the agent's process
// started (the `started` event, logged once the fork returned its pid), and from the agent's exit
// to the task file final in tasks/completed/. Also shown: claimed to the command's own first
// instruction, which adds the exec of /bin/sh and of `date` (the agent's start-up, not ours).
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeWorkspace,
  percentile,
  pollUntil,
  progress,
  removeTemp,
  startDaemon,
  stopDaemon,
  taskNames,
} from './lib.mjs';

// The task's own command stamps the wall clock (ns) the moment it runs, then works for 50 ms.
const COMMAND = 'date +%s%N > "$ORCHESTRATE_RUN_DIR/started"; sleep 0.05';

function summary(values) {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values), n: values.length };
}

export async function benchOverhead({ count }) {
  const root = makeWorkspace('overhead');
  try {
    startDaemon(root);
    const pending = join(root, 'tasks/pending');
    const ids = Array.from({ length: count }, (_, i) => `run-${String(i + 1).padStart(4, '0')}`);
    for (const id of ids)
      writeFileSync(
        join(pending, `.${id}.yaml.tmp`),
        `description: overhead probe\ncommand: ${JSON.stringify(COMMAND)}\n`,
      );
    progress(`(g) ${count} runs of a 50 ms command, 8 at a time...`);
    for (const id of ids) renameSync(join(pending, `.${id}.yaml.tmp`), join(pending, `${id}.yaml`));
    const completed = join(root, 'tasks/completed');
    await pollUntil(() => taskNames(completed).length >= count, {
      everyMs: 20,
      what: 'every overhead probe to complete',
    });
    const claimed = new Map();
    const spawned = new Map();
    for (const line of readFileSync(join(root, '.orchestrate/events.jsonl'), 'utf8').split('\n')) {
      if (!line.includes('"claimed"') && !line.includes('"started"')) continue;
      const event = JSON.parse(line);
      (event.type === 'claimed' ? claimed : spawned).set(event.id, Date.parse(event.time));
    }
    const toSpawn = [];
    const toStart = [];
    const toFinal = [];
    for (const id of ids) {
      const runDir = join(root, '.orchestrate/runs', id, '1');
      const started = Number(BigInt(readFileSync(join(runDir, 'started'), 'utf8').trim()) / 1000n) / 1000;
      toSpawn.push(spawned.get(id) - claimed.get(id));
      toStart.push(started - claimed.get(id));
      toFinal.push(statSync(join(completed, `${id}.yaml`)).mtimeMs - statSync(join(runDir, 'exit')).mtimeMs);
    }
    return { claimToSpawn: summary(toSpawn), claimToStart: summary(toStart), exitToFinal: summary(toFinal) };
  } finally {
    stopDaemon(root);
    removeTemp(root);
  }
}
