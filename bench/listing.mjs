// (d) `status` and `tasks --json` over a big workspace, and (f) the idle daemon's memory over it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeWorkspace,
  median,
  orch,
  procMemory,
  progress,
  removeTemp,
  sleep,
  startDaemon,
  stopDaemon,
} from './lib.mjs';

const WORDS =
  'add implement refactor fix test document migrate endpoint handler schema cache login logout token session database index query parser config retry timeout worker queue report metrics dashboard client server api route middleware validation'.split(
    ' ',
  );

// A deterministic pseudo-random stream, so every run generates the same workspace.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function iso(ms) {
  return new Date(ms).toISOString();
}

function sentence(rand, words) {
  return Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
}

// The person's part: a one-line or a multi-line prompt, sometimes an agent, a priority, locks.
function personPart(rand, i) {
  const lines = [];
  if (rand() < 0.35) {
    lines.push('description: |');
    for (let k = 0; k < 3 + Math.floor(rand() * 5); k++) lines.push(`  ${sentence(rand, 8 + Math.floor(rand() * 8))}.`);
  } else {
    lines.push(`description: ${sentence(rand, 6 + Math.floor(rand() * 14))} (#${i})`);
  }
  if (rand() < 0.5) lines.push('agent: shell');
  if (rand() < 0.3) lines.push(`priority: ${['high', 'normal', 'low'][Math.floor(rand() * 3)]}`);
  if (rand() < 0.2) lines.push(`locks: ["src/${WORDS[Math.floor(rand() * WORDS.length)]}/**"]`);
  lines.push(`command: "true"`);
  return lines;
}

function attemptLines(number, start, durationMs, outcome, exitCode, error) {
  return [
    `  - number: ${number}`,
    `    agent: shell#${1 + (number % 8)}`,
    '    worker: bench-host:4242',
    `    started_at: ${iso(start)}`,
    `    ended_at: ${iso(start + durationMs)}`,
    `    exit_code: ${exitCode}`,
    `    outcome: ${outcome}`,
    ...(error ? [`    error: ${JSON.stringify(error)}`] : []),
  ];
}

// One task file in the shape the daemon writes at each state.
function taskFile(rand, i, id, state, base) {
  const created = base + i * 1000;
  const lines = [...personPart(rand, i), `created_at: ${iso(created)}`];
  const duration = 5_000 + Math.floor(rand() * 600_000);
  if (state === 'completed') {
    lines.push('attempts:', ...attemptLines(1, created + 500, duration, 'success', 0));
    lines.push(
      'result:',
      '  outcome: success',
      `  output: context/agent_outputs/${id}.md`,
      `  summary: ${JSON.stringify(`Done: ${sentence(rand, 10)}.`)}`,
      `  duration_ms: ${duration}`,
    );
  } else if (state === 'failed') {
    lines.push('attempts:');
    for (let n = 1; n <= 3; n++)
      lines.push(...attemptLines(n, created + n * 60_000, duration, 'failed', 1, `exit 1: ${sentence(rand, 6)}`));
    lines.push(
      'result:',
      '  outcome: failed',
      `  error: ${JSON.stringify(`exit 1: ${sentence(rand, 6)}`)}`,
      `  duration_ms: ${duration}`,
    );
  } else if (i % 2 === 0) {
    // Waiting out a retry backoff (an hour away, so an idle daemon leaves it alone).
    lines.push(
      'attempts:',
      ...attemptLines(1, created + 500, duration, 'failed', 1, 'exit 1: flaky network'),
      `retry_after: ${iso(Date.now() + 3_600_000)}`,
    );
  } else {
    // Waiting for a dependency that is not done yet.
    lines.splice(lines.indexOf('command: "true"'), 0, 'depends_on: [release-review]');
  }
  return `${lines.join('\n')}\n`;
}

// Writes `count` task files: 90 % completed, 7 % failed (a few of them invalid, with .error files), 3 % pending.
export function generateWorkspace(count) {
  const root = makeWorkspace('listing');
  const rand = random(42);
  const base = Date.now() - count * 1000 - 86_400_000;
  const counts = { completed: 0, failed: 0, pending: 0, invalid: 0 };
  for (let i = 1; i <= count; i++) {
    const roll = rand();
    const state = roll < 0.9 ? 'completed' : roll < 0.97 ? 'failed' : 'pending';
    const id = `task-${String(i).padStart(5, '0')}`;
    const folder = join(root, 'tasks', state);
    if (state === 'failed' && counts.invalid < count / 1000) {
      writeFileSync(join(folder, `${id}.yaml`), `description: [unclosed\ncommand: "true"\n`);
      writeFileSync(
        join(folder, `${id}.error`),
        `tasks/pending/${id}.yaml: line 1: invalid YAML: bad flow sequence (fix the syntax)\n`,
      );
      counts.invalid++;
    } else {
      writeFileSync(join(folder, `${id}.yaml`), taskFile(rand, i, id, state, base));
    }
    counts[state]++;
  }
  return { root, counts };
}

async function timed(root, args) {
  const result = await orch(root, args);
  if (result.code !== 0) throw new Error(`orchestrate ${args.join(' ')} failed: ${result.stderr}`);
  return { ms: result.ms, bytes: result.stdout.length, stdout: result.stdout };
}

// (d): cold = the first `tasks --json` (no .orchestrate/index.tsv yet, every file parsed);
// warm = median of `warmRuns` later runs. `status` keeps no cache, so it has no cold case.
export async function benchListing({ count, warmRuns }) {
  progress(`(d) generating ${count.toLocaleString('en')} task files...`);
  const { root, counts } = generateWorkspace(count);
  try {
    const cold = await timed(root, ['tasks', '--json']);
    const listed = JSON.parse(cold.stdout).length;
    if (listed !== count) throw new Error(`tasks --json listed ${listed} tasks, expected ${count}`);
    const warm = [];
    const status = [];
    for (let i = 0; i < warmRuns; i++) {
      warm.push((await timed(root, ['tasks', '--json'])).ms);
      status.push((await timed(root, ['status'])).ms);
    }
    const statusJson = JSON.parse((await timed(root, ['status', '--json'])).stdout);
    return {
      root,
      counts,
      tasksCold: cold.ms,
      tasksWarm: median(warm),
      tasksWarmAll: warm,
      status: median(status),
      statusAll: status,
      jsonBytes: cold.bytes,
      statusCounts: statusJson.counts,
    };
  } catch (error) {
    removeTemp(root);
    throw error;
  }
}

// (f), idle: a daemon started on the big workspace, left alone for `settleMs`, then VmRSS and VmHWM.
export async function benchIdleMemory(root, settleMs) {
  const pid = startDaemon(root);
  try {
    await sleep(settleMs);
    return procMemory(pid);
  } finally {
    stopDaemon(root);
  }
}
