// The orchestrate benchmark: throughput against task-spooler, GNU parallel and a bare Node spawn
// loop, pickup latency, listing a big workspace, CLI start-up and daemon memory. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--only a,b,c,d,e,f,g,h] [--reps N] [--json FILE] [--keep] [--no-install]
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { benchIdleMemory, benchListing, generateWorkspace } from './listing.mjs';
import { benchLatency } from './latency.mjs';
import {
  BIN,
  cleanupAll,
  fileCreateProbe,
  orchSync,
  fmtMb,
  fmtMs,
  fmtX,
  median,
  now,
  options,
  progress,
  removeTemp,
  sleep,
  STABLE_WINDOW_MS,
  textTable,
} from './lib.mjs';
import { findPeers, peerVersions, runFloor, runOrchestrate, runParallel, runTaskSpooler } from './peers.mjs';
import { costsText, markdown, RUNNERS, targets, targetsTable, throughputTable } from './report.mjs';
import { benchOverhead } from './overhead.mjs';
import { benchStartup } from './startup.mjs';
import { benchScheduler } from './scheduler.mjs';

const SECTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function parseArgs(argv) {
  const args = { quick: false, only: new Set(SECTIONS), reps: undefined, json: undefined, install: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--quick') args.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg.includes('=') ? arg.slice(7) : value();
      args.only = new Set(
        list
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      );
      for (const s of args.only)
        if (!SECTIONS.includes(s)) usage(`--only: unknown section "${s}" (use a,b,c,d,e,f,g,h)`);
    } else if (arg === '--reps') args.reps = Number(value());
    else if (arg === '--json') args.json = value();
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--no-install') args.install = false;
    else if (arg === '-h' || arg === '--help') usage();
    else usage(`unknown argument ${arg}`);
  }
  return args;
}

function usage(problem) {
  if (problem) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write(`usage: node bench/run.mjs [--quick] [--only a,b,c,d,e,f,g,h] [--reps N] [--json FILE] [--keep] [--no-install]
  a  1000 × true through orchestrate, task-spooler, GNU parallel, a Node spawn loop
  b  1000 × sleep 0.05, same peers
  c  pickup latency after \`orchestrate add\` and after a file drop
  d  status and tasks --json over 10,000 tasks
  e  orchestrate add against node -e 0
  f  daemon memory: peak during (a), idle over the (d) workspace
  h  the scheduler's decision pass over 10,000 pending tasks (1,000 dependencies, 100 locks held)
`);
  process.exit(problem ? 2 : 0);
}

function sizes(args) {
  const quick = args.quick;
  return {
    n: quick ? 200 : 1000,
    reps: args.reps ?? (quick ? 1 : 3),
    latencySamples: quick ? 15 : 100,
    listingCount: quick ? 2000 : 10_000,
    warmRuns: quick ? 3 : 5,
    startupRuns: quick ? 5 : 20,
    idleSettleMs: quick ? 1500 : 3000,
    overheadRuns: quick ? 50 : 300,
    schedulerPasses: quick ? 50 : 200,
  };
}

// Runs N jobs through every runner, `reps` times, interleaved in a rotating order; with `argvAgent`,
// orchestrate runs them a second way, as tasks of an argv agent whose command line is `jobs.argv`.
async function throughput(label, n, reps, peers, jobs) {
  const runners = {
    floor: () => runFloor(n, jobs.script, 8),
    tsp: peers.tsp ? () => runTaskSpooler(peers.tsp, n, jobs.argv, 8) : undefined,
    parallel: peers.parallel ? () => runParallel(peers.parallel, n, jobs.argv, 8) : undefined,
    orchestrate: () => runOrchestrate(n, jobs.script),
    ...(jobs.argvAgent ? { orchestrateArgv: () => runOrchestrate(n, jobs.script, { argv: jobs.argv }) } : {}),
  };
  const keys = RUNNERS.map(({ key }) => key).filter((key) => key in runners);
  const results = Object.fromEntries(
    keys.map((key) => [
      key,
      runners[key] ? { runs: [] } : { skipped: `${key === 'tsp' ? 'task-spooler' : 'GNU parallel'} is not installed` },
    ]),
  );
  for (let rep = 0; rep < reps; rep++) {
    const order = keys.map((_, i) => keys[(i + rep) % keys.length]);
    for (const key of order) {
      if (!runners[key] || results[key].skipped) continue;
      progress(`${label} rep ${rep + 1}/${reps}: ${key}...`);
      try {
        const result = await runners[key]();
        results[key].runs.push(result);
        progress(
          `${label} rep ${rep + 1}/${reps}: ${key} ${fmtMs(result.ms)}${result.ok ? '' : ` (NOT OK: ${result.error})`}`,
        );
      } catch (error) {
        progress(`${label}: ${key} failed: ${error.message}`);
        if (key === 'tsp' || key === 'parallel') results[key] = { skipped: `failed: ${error.message.split('\n')[0]}` };
        else results[key].runs.push({ ms: NaN, ok: false, error: error.message });
      }
      await sleep(300);
    }
  }
  for (const result of Object.values(results))
    if (result.runs) result.median = median(result.runs.map((r) => r.ms).filter((ms) => !Number.isNaN(ms)));
  return { n, reps, runners: results };
}

function heading(text) {
  console.log(`\n## ${text}\n`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(BIN)) usage(`${BIN} is missing; run \`npm run build\` first (npm run bench does)`);
  const size = sizes(args);
  const only = args.only;
  const started = now();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const peers = only.has('a') || only.has('b') ? findPeers({ install: args.install }) : {};
  const versions = peerVersions(peers);
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
  };
  machine.fileCreate = fileCreateProbe();
  const results = { machine, versions, sizes: size, command, date: new Date().toISOString() };

  console.log(`# orchestrate benchmark${args.quick ? ' (--quick: smaller sizes, not for the README)' : ''}`);
  console.log(
    `\n${machine.cpu}, ${machine.cores} cores, ${machine.memGb} GB, Linux ${machine.kernel}, Node ${machine.node}`,
  );
  console.log(
    `temp folder: ${machine.fileCreate.fs}; creating a small file there takes ${machine.fileCreate.us.toFixed(0)} µs (median of 200)`,
  );
  console.log(
    `peers: ${versions.tsp ?? 'task-spooler not installed'}; ${versions.parallel ?? 'GNU parallel not installed'}`,
  );

  if (only.has('a') || only.has('f')) {
    const reps = only.has('a') ? size.reps : 1;
    const section = only.has('a')
      ? await throughput('(a)', size.n, reps, peers, { script: 'true', argv: ['true'], argvAgent: true })
      : { n: size.n, reps, runners: { orchestrate: { runs: [await runOrchestrate(size.n, 'true')] } } };
    const peaks = section.runners.orchestrate.runs.map((r) => r.peakRssKb).filter((kb) => kb !== undefined);
    results.f = { peakKb: peaks.length ? Math.max(...peaks) : undefined, peaksKb: peaks };
    if (only.has('a')) {
      results.a = section;
      heading(`(a) ${size.n} no-op tasks (\`true\`), 8 at a time — median of ${reps}, peers interleaved`);
      console.log(throughputTable(section));
      console.log(`\n${costsText(section)}`);
      const drops = section.runners.orchestrate.runs.map((r) => r.dropMs).filter(Boolean);
      if (drops.length)
        console.log(
          `\norchestrate: timed from the first rename into tasks/pending/ (renaming all ${size.n} took ${fmtMs(median(drops))}; the .tmp files were written before) until all are in tasks/completed/, daemon already up. task-spooler: from the first \`tsp\` (starts its server) until the last job finished. GNU parallel: the whole \`parallel\` process.`,
        );
    }
  }

  if (only.has('b')) {
    const section = await throughput('(b)', size.n, size.reps, peers, {
      script: 'sleep 0.05',
      argv: ['sleep', '0.05'],
    });
    results.b = section;
    heading(
      `(b) ${size.n} tasks of \`sleep 0.05\`, 8 at a time — median of ${size.reps} (ideal: ${fmtMs((size.n * 50) / 8)})`,
    );
    console.log(throughputTable(section));
  }

  if (only.has('c')) {
    const c = await benchLatency({ samples: size.latencySamples });
    results.c = c;
    heading(
      `(c) pickup latency: submission -> the agent's first instruction (${c.add.samples} samples each, daemon idle)`,
    );
    const row = (label, s) => [label, fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max)];
    console.log(
      textTable(
        ['from', 'p50', 'p99', 'max'],
        [
          row('`orchestrate add` returned (target)', c.add),
          row('`orchestrate add` invoked', c.add.afterInvoke),
          ...(c.add.afterCreatedAt ? [row('the created_at that `add` wrote', c.add.afterCreatedAt)] : []),
          row('file renamed into tasks/pending/', c.drop),
        ],
      ),
    );
    console.log(
      `\n"running" = a \`date +%s%N\` stamp written by the task's own command. It includes starting sh and date: ${fmtMs(c.overhead.p50)} p50 for a bare Node spawn of the same command.`,
    );
    console.log(
      `\`orchestrate add\` itself took ${fmtMs(c.add.addMsMedian)} (median); it rings the daemon before it exits, so the agent may already run when it returns (${c.add.negative}/${c.add.samples} samples negative).`,
    );
    console.log(
      `A dropped file is not read before it has been stable for stable_window (${STABLE_WINDOW_MS} ms in this config): that wait is by design.`,
    );
  }

  let bigRoot;
  if (only.has('d')) {
    const d = await benchListing({ count: size.listingCount, warmRuns: size.warmRuns });
    bigRoot = d.root;
    results.d = {
      count: size.listingCount,
      counts: d.counts,
      status: d.status,
      statusAll: d.statusAll,
      tasksCold: d.tasksCold,
      tasksWarm: d.tasksWarm,
      tasksWarmAll: d.tasksWarmAll,
      jsonBytes: d.jsonBytes,
    };
    heading(
      `(d) listing ${size.listingCount.toLocaleString('en')} tasks (${d.counts.completed} completed, ${d.counts.failed} failed incl. ${d.counts.invalid} invalid, ${d.counts.pending} pending)`,
    );
    console.log(
      textTable(
        ['command', 'time', 'runs'],
        [
          ['orchestrate status', fmtMs(d.status), d.statusAll.map((ms) => ms.toFixed(0)).join(' ')],
          ['orchestrate tasks --json, cold (builds .orchestrate/index.tsv)', fmtMs(d.tasksCold), '1'],
          [
            'orchestrate tasks --json, warm (median)',
            fmtMs(d.tasksWarm),
            d.tasksWarmAll.map((ms) => ms.toFixed(0)).join(' '),
          ],
        ],
      ),
    );
    console.log(
      `\ntasks --json prints ${(d.jsonBytes / 1024 / 1024).toFixed(1)} MB; times are wall time of the whole CLI process. "cold" means no index cache (the files are in the page cache).`,
    );
  }

  if (only.has('e')) {
    const e = await benchStartup({ runs: size.startupRuns });
    results.e = e;
    heading(`(e) CLI start-up: median of ${e.runs}, interleaved`);
    console.log(
      textTable(
        ['command', 'median', 'vs node -e 0'],
        [
          ['node -e 0', fmtMs(e.node), '1.00x'],
          ['orchestrate add (daemon running; target)', fmtMs(e.add), fmtX(e.add / e.node)],
          ['orchestrate add (no daemon)', fmtMs(e.addNoDaemon), fmtX(e.addNoDaemon / e.node)],
        ],
      ),
    );
  }

  if (only.has('f')) {
    if (!bigRoot) {
      progress(`(f) generating ${size.listingCount.toLocaleString('en')} task files for the idle daemon...`);
      bigRoot = generateWorkspace(size.listingCount).root;
      // As after (d): the index cache exists, so the daemon starts with it, as it would for a user.
      orchSync(bigRoot, ['tasks', '--json']);
    }
    progress(`(f) idle daemon over ${size.listingCount.toLocaleString('en')} tasks, ${size.idleSettleMs} ms...`);
    results.f.idle = await benchIdleMemory(bigRoot, size.idleSettleMs);
    results.f.idleCount = size.listingCount;
    // Beyond the brief: the same daemon busy in that long-lived workspace (200 × true).
    const busyN = 200;
    progress(`(f) ${busyN} × true in the ${size.listingCount.toLocaleString('en')}-task workspace...`);
    const busy = await runOrchestrate(busyN, 'true', { root: bigRoot, prefix: 'busy-' });
    results.f.busy = { n: busyN, ms: busy.ms, ok: busy.ok, peakKb: busy.peakRssKb };
    heading('(f) daemon memory');
    console.log(
      textTable(
        ['when', 'RSS', 'peak (VmHWM)'],
        [
          [`after (a), ${size.n} × true (max of ${results.f.peaksKb.length} runs)`, '-', fmtMb(results.f.peakKb)],
          [
            `idle ${size.idleSettleMs / 1000} s over ${size.listingCount.toLocaleString('en')} tasks`,
            fmtMb(results.f.idle?.rssKb),
            fmtMb(results.f.idle?.hwmKb),
          ],
          [
            `running ${results.f.busy.n} × true over ${size.listingCount.toLocaleString('en')} tasks (not a target)`,
            '-',
            fmtMb(results.f.busy.peakKb),
          ],
        ],
      ),
    );
    console.log(
      `\nThe last row is beyond the brief: ${results.f.busy.n} no-op tasks dropped into the ${size.listingCount.toLocaleString('en')}-task workspace took ${fmtMs(results.f.busy.ms)}${results.f.busy.ok ? '' : ' (NOT all succeeded)'} (compare (a)).`,
    );
  }
  if (bigRoot) removeTemp(bigRoot);
  if (!only.has('f')) delete results.f;

  if (only.has('g')) {
    const g = await benchOverhead({ count: size.overheadRuns });
    results.g = g;
    heading(`(g) orchestrate's own overhead per agent run (${g.claimToStart.n} runs of a 50 ms command, 8 at a time)`);
    const row = (name, s) => [name, fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max)];
    console.log(
      textTable(
        ['from → to', 'p50', 'p99', 'max'],
        [
          row('task claimed → agent process started', g.claimToSpawn),
          row('task claimed → its command running (+ exec of sh, date)', g.claimToStart),
          row('agent exit → task file final in completed/', g.exitToFinal),
        ],
      ),
    );
    console.log(
      '\n"process started" is the `started` event, logged once a runner shell said it took the run; "command running" is a `date +%s%N` stamp by the command itself, so it adds the fork of the run\'s subshell and the exec of date (1-3 ms each on a quiet machine, ~5 ms of CPU each on a VM where process creation is slow). The agent CLIs themselves take 0.25 s (codex) to 3 s (qwen) to start (../shared/agent-samples).',
    );
  }

  if (only.has('h')) {
    const h = await benchScheduler({ passes: size.schedulerPasses });
    results.h = h;
    heading(
      `(h) the scheduler's decision pass: ${h.count.toLocaleString('en')} pending tasks, ${h.edges.toLocaleString('en')} dependency edges, ${h.heldLocks} locks held (${h.steady.passes} passes each)`,
    );
    const row = (name, s) => [name, fmtMs(s.p50), fmtMs(s.p99)];
    console.log(
      textTable(
        ['pass', 'p50', 'p99'],
        [
          row('nothing changed since the last pass', h.steady),
          row(
            'one task edited before the pass (put back in the order, its dependencies checked for a cycle)',
            h.changed,
          ),
        ],
      ),
    );
    console.log(`
A pass is what the daemon runs after each event: the run order (kept between passes; aging re-levels it) and the pure \`schedule\`, which here walks all ${h.count.toLocaleString('en')} tasks (agent \`a\` is full, so each waits for a dependency, a lock or a slot). Putting all ${h.count.toLocaleString('en')} in order from nothing, as at start-up: ${fmtMs(h.firstOrderMs)}.`);
  }

  const rows = targets(results);
  heading('Targets');
  console.log(targetsTable(rows));
  const judged = rows.filter((row) => row.result !== 'INFO');
  const failed = judged.filter((row) => row.result === 'FAIL').length;
  console.log(`\n${judged.length - failed}/${judged.length} targets met.`);

  heading('Markdown for README.md ("Performance")');
  console.log(markdown(results, rows));
  console.log(
    `\nMeasured with \`${command}\` on ${machine.cpu} (${machine.cores} cores), Linux ${machine.kernel}, Node ${machine.node}${[
      versions.tsp,
      versions.parallel,
    ]
      .filter(Boolean)
      .map((v) => `; ${v}`)
      .join('')}.${results.a || results.b ? ` Throughput rows are medians of ${size.reps} interleaved runs.` : ''}`,
  );
  console.log(`\nbench took ${fmtMs(now() - started)}.`);

  if (args.json) writeFileSync(args.json, `${JSON.stringify({ ...results, targets: rows }, null, 2)}\n`);
}

const onSignal = () => {
  cleanupAll();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  await main();
} catch (error) {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  cleanupAll();
}
