// Turning results into the text tables, the target verdicts and the README's markdown table.
import { fmtMb, fmtMs, fmtX, median, STABLE_WINDOW_MS, textTable } from './lib.mjs';

export const RUNNERS = [
  { key: 'floor', label: 'Node spawn loop (floor)' },
  { key: 'tsp', label: 'task-spooler (tsp -S 8)' },
  { key: 'parallel', label: 'GNU parallel (-j8)' },
  { key: 'orchestrate', label: 'orchestrate (daemon), `shell` tasks' },
  { key: 'orchestrateArgv', label: 'orchestrate (daemon), an argv agent' },
];

const ORCHESTRATE_KEYS = new Set(['orchestrate', 'orchestrateArgv']);

const MB = 1024;

// Section text for (a) and (b): a row per runner the section ran.
export function throughputTable(section) {
  const floor = section.runners.floor?.median;
  const orch = section.runners.orchestrate?.median;
  const present = RUNNERS.filter(({ key }) => section.runners[key]);
  const rows = present.map(({ key, label }) => {
    const runner = section.runners[key];
    if (runner.skipped) return [label, 'skipped', runner.skipped, '-', '-', '-'];
    const runs = runner.runs.map((r) => `${(r.ms / 1000).toFixed(2)}${r.ok ? '' : '!'}`).join(' ');
    return [
      label,
      fmtMs(runner.median),
      runs,
      `${Math.round(section.n / (runner.median / 1000))}/s`,
      fmtX(runner.median / floor),
      ORCHESTRATE_KEYS.has(key) ? '-' : fmtX(orch / runner.median),
    ];
  });
  const failed = present.flatMap(({ key, label }) =>
    (section.runners[key]?.runs ?? []).filter((r) => !r.ok).map((r) => `  ! ${label}: ${r.error}`),
  );
  return [
    textTable(['runner', 'median', 'runs (s)', 'jobs/s', 'vs floor', 'orchestrate (shell) ÷ this'], rows),
    ...failed,
  ].join('\n');
}

// The median of one cost per task over a runner's runs.
function medianCost(runner, field) {
  const values = (runner?.runs ?? []).map((r) => r.costs?.[field]).filter((value) => value !== undefined);
  return values.length === 0 ? undefined : median(values);
}

// Where the time per task goes for each way orchestrate ran (a): the daemon's CPU time, its fsyncs,
// the processes started and the files created, per task (medians of the runs).
export function costsText(section) {
  const lines = [];
  for (const { key, label } of RUNNERS) {
    if (!ORCHESTRATE_KEYS.has(key) || !section.runners[key]?.runs) continue;
    const cost = (field) => medianCost(section.runners[key], field);
    if (cost('runs') === undefined) continue;
    const cpu = cost('cpuUserMs') + cost('cpuSystemMs');
    lines.push(
      `- ${label}: daemon CPU ${cpu.toFixed(2)} ms (user ${cost('cpuUserMs').toFixed(2)}, system ${cost('cpuSystemMs').toFixed(2)}); ` +
        `fsyncs ${(cost('fileSyncs') + cost('folderSyncs')).toFixed(2)} (${cost('fileSyncs').toFixed(2)} of files, ${cost('folderSyncs').toFixed(2)} of folders); ` +
        `processes started ${(cost('runnerShells') + cost('runs')).toFixed(2)} (runner shells ${cost('runnerShells').toFixed(2)}, a subshell per run ${cost('runs').toFixed(2)}); ` +
        `files and folders created ${cost('entries').toFixed(1)}`,
    );
  }
  return lines.length === 0
    ? ''
    : [`Where the time per task goes (the daemon's own counters, medians of the runs; per task):`, ...lines].join('\n');
}

function verdict(measured, limit) {
  if (measured === undefined || Number.isNaN(measured)) return 'SKIP';
  return measured <= limit ? 'PASS' : 'FAIL';
}

// Every target of the brief with its measured value; sections not run are left out.
export function targets(results) {
  const rows = [];
  const add = (name, measured, shown, limit, limitShown, extra = true) =>
    rows.push({ name, measured, shown, limit: limitShown, result: extra === true ? verdict(measured, limit) : extra });
  const { a, b, c, d, e, f, g, h } = results;
  if (a) {
    const tsp = a.runners.tsp;
    for (const [key, what, limit] of [
      ['orchestrate', '`shell` tasks', 1.2],
      ['orchestrateArgv', 'an argv agent', 1.4],
    ]) {
      const orch = a.runners[key];
      if (!orch) continue;
      const ratio = tsp?.median && orch.median ? orch.median / tsp.median : undefined;
      const ok = orch.runs?.every((r) => r.ok);
      add(
        `(a) ${a.n} × true, ${what}: orchestrate ÷ task-spooler`,
        ratio,
        ratio ? `${fmtX(ratio)} (${fmtMs(orch.median)} vs ${fmtMs(tsp.median)})` : 'skipped',
        limit,
        `≤ ${limit}x`,
        ok === false ? 'FAIL' : true,
      );
    }
  }
  if (b) {
    const orch = b.runners.orchestrate;
    const floor = b.runners.floor;
    const ratio = floor?.median && orch?.median ? orch.median / floor.median : undefined;
    const ok = orch?.runs.every((r) => r.ok);
    add(
      `(b) ${b.n} × sleep 0.05: orchestrate ÷ floor`,
      ratio,
      ratio ? `${fmtX(ratio)} (${fmtMs(orch.median)} vs ${fmtMs(floor.median)})` : 'skipped',
      1.1,
      '≤ 1.1x',
      ok === false ? 'FAIL' : true,
    );
  }
  if (c) {
    add('(c) pickup after `add` returns, p50', c.add.p50, fmtMs(c.add.p50), 20, '≤ 20 ms');
    add('(c) pickup after `add` returns, p99', c.add.p99, fmtMs(c.add.p99), 100, '≤ 100 ms');
    add(
      '(c) pickup of a dropped file, p50',
      c.drop.p50,
      fmtMs(c.drop.p50),
      STABLE_WINDOW_MS + 20,
      `≤ ${STABLE_WINDOW_MS + 20} ms (stable_window + 20)`,
    );
  }
  if (d) {
    const n = d.count.toLocaleString('en');
    add(`(d) status, ${n} tasks`, d.status, fmtMs(d.status), 250, '≤ 250 ms');
    // No cache at all (no daemon ever ran here, no listing yet): a one-time cost, shown, not judged.
    add(
      `(d) tasks --json, ${n} tasks, cold (once)`,
      d.tasksCold,
      fmtMs(d.tasksCold),
      undefined,
      'none (builds the cache)',
      'INFO',
    );
    add(`(d) tasks --json, ${n} tasks, warm`, d.tasksWarm, fmtMs(d.tasksWarm), 500, '≤ 500 ms');
  }
  if (e) {
    const ratio = e.add / e.node;
    add(
      '(e) orchestrate add ÷ node -e 0',
      ratio,
      `${fmtX(ratio)} (${fmtMs(e.add)} vs ${fmtMs(e.node)})`,
      1.3,
      '≤ 1.3x',
    );
  }
  if (f) {
    if (f.peakKb !== undefined) add(`(f) daemon peak RSS during (a)`, f.peakKb / MB, fmtMb(f.peakKb), 150, '≤ 150 MB');
    if (f.idle)
      add(
        `(f) daemon RSS idle over ${f.idleCount.toLocaleString('en')} tasks`,
        f.idle.rssKb / MB,
        `${fmtMb(f.idle.rssKb)} (peak ${fmtMb(f.idle.hwmKb)})`,
        150,
        '≤ 150 MB',
      );
  }
  if (g) {
    add(
      '(g) overhead per run: claimed → agent process started, p99',
      g.claimToSpawn.p99,
      fmtMs(g.claimToSpawn.p99),
      50,
      '≤ 50 ms',
    );
    add(
      '(g) claimed → its command running (+ exec of sh and date), p99',
      g.claimToStart.p99,
      fmtMs(g.claimToStart.p99),
      undefined,
      "none (the agent's start-up)",
      'INFO',
    );
    add(
      '(g) overhead per run: agent exit → task file final, p99',
      g.exitToFinal.p99,
      fmtMs(g.exitToFinal.p99),
      50,
      '≤ 50 ms',
    );
  }
  if (h) {
    add(
      `(h) scheduler pass, ${h.count.toLocaleString('en')} pending, p50`,
      h.steady.p50,
      fmtMs(h.steady.p50),
      5,
      '≤ 5 ms',
    );
    add(
      `(h) scheduler pass after an edit, ${h.count.toLocaleString('en')} pending, p50`,
      h.changed.p50,
      fmtMs(h.changed.p50),
      5,
      '≤ 5 ms',
    );
  }
  return rows;
}

export function targetsTable(rows) {
  return textTable(
    ['target', 'measured', 'limit', 'result'],
    rows.map((row) => [row.name, row.shown, row.limit, row.result]),
  );
}

// The README's "Performance" table: one row per measurement, peers side by side.
export function markdown(results, rows) {
  const verdictOf = (prefix) => rows.filter((row) => row.name.startsWith(prefix)).map((row) => row.result);
  const allOf = (all) => {
    const list = all.filter((r) => r !== 'INFO');
    return list.length === 0
      ? ''
      : list.every((r) => r === 'PASS')
        ? 'PASS'
        : list.includes('FAIL')
          ? 'FAIL'
          : list.join('/');
  };
  const lines = [
    '| measurement | orchestrate | task-spooler | GNU parallel | Node spawn loop (floor) | target | result |',
    '|---|---|---|---|---|---|---|',
  ];
  const peerCell = (section, key, orchestrateKey = 'orchestrate') => {
    const runner = section.runners[key];
    if (!runner || runner.skipped) return 'skipped';
    const orch = section.runners[orchestrateKey]?.median;
    return `${fmtMs(runner.median)} (orchestrate ${fmtX(orch / runner.median)})`;
  };
  const { a, b, c, d, e, f, g, h } = results;
  if (a) {
    const row = (key, what, limit, prefix) =>
      a.runners[key] &&
      lines.push(
        `| ${a.n} × \`true\`, 8 at once: ${what} | ${fmtMs(a.runners[key].median)} | ${peerCell(a, 'tsp', key)} | ${peerCell(a, 'parallel', key)} | ${peerCell(a, 'floor', key)} | ≤ ${limit}x task-spooler | ${allOf(verdictOf(prefix))} |`,
      );
    row('orchestrate', '`shell` tasks', 1.2, `(a) ${a.n} × true, \`shell\``);
    row('orchestrateArgv', 'an argv agent (`command: ["true"]`)', 1.4, `(a) ${a.n} × true, an argv`);
  }
  if (b)
    lines.push(
      `| ${b.n} × \`sleep 0.05\`, 8 at once | ${fmtMs(b.runners.orchestrate?.median)} | ${peerCell(b, 'tsp')} | ${peerCell(b, 'parallel')} | ${peerCell(b, 'floor')} | ≤ 1.1x floor | ${allOf(verdictOf('(b)'))} |`,
    );
  if (c) {
    lines.push(
      `| pickup after \`orchestrate add\` returns, p50 / p99 | ${fmtMs(c.add.p50)} / ${fmtMs(c.add.p99)} | | | | ≤ 20 / 100 ms | ${allOf(verdictOf('(c) pickup after'))} |`,
    );
    lines.push(
      `| pickup of a file renamed into \`tasks/pending/\`, p50 / p99 | ${fmtMs(c.drop.p50)} / ${fmtMs(c.drop.p99)} | | | | p50 ≤ ${STABLE_WINDOW_MS + 20} ms (stable_window ${STABLE_WINDOW_MS} ms + 20) | ${allOf(verdictOf('(c) pickup of'))} |`,
    );
  }
  if (d) {
    const n = d.count.toLocaleString('en');
    lines.push(
      `| \`orchestrate status\`, ${n} tasks | ${fmtMs(d.status)} | | | | ≤ 250 ms | ${allOf(verdictOf('(d) status'))} |`,
    );
    lines.push(
      `| \`orchestrate tasks --json\`, ${n} tasks, cold / warm | ${fmtMs(d.tasksCold)} / ${fmtMs(d.tasksWarm)} | | | | warm ≤ 500 ms (cold: once, no target) | ${allOf(verdictOf('(d) tasks'))} |`,
    );
  }
  if (e)
    lines.push(
      `| \`orchestrate add\` (\`node -e 0\`: ${fmtMs(e.node)}) | ${fmtMs(e.add)} (${fmtX(e.add / e.node)}) | | | | ≤ 1.3x \`node -e 0\` | ${allOf(verdictOf('(e)'))} |`,
    );
  if (f) {
    const parts = [];
    if (f.peakKb !== undefined) parts.push(`peak ${fmtMb(f.peakKb)} during (a)`);
    if (f.idle) parts.push(`${fmtMb(f.idle.rssKb)} idle over ${f.idleCount.toLocaleString('en')} tasks`);
    lines.push(`| daemon memory (RSS) | ${parts.join('; ')} | | | | ≤ 150 MB | ${allOf(verdictOf('(f)'))} |`);
  }
  if (g) {
    lines.push(
      `| overhead per agent run, p50 / p99: claimed → agent process started; exit → task file final (claimed → its command running, with the exec of sh and date: ${fmtMs(g.claimToStart.p50)} / ${fmtMs(g.claimToStart.p99)}) | ${fmtMs(g.claimToSpawn.p50)} / ${fmtMs(g.claimToSpawn.p99)}; ${fmtMs(g.exitToFinal.p50)} / ${fmtMs(g.exitToFinal.p99)} | | | | p99 ≤ 50 ms | ${allOf(verdictOf('(g)'))} |`,
    );
  }
  if (h) {
    lines.push(
      `| scheduler decision pass, ${h.count.toLocaleString('en')} pending (${h.edges.toLocaleString('en')} dependency edges, ${h.heldLocks} locks held), p50: unchanged; after an edit | ${fmtMs(h.steady.p50)}; ${fmtMs(h.changed.p50)} | | | | ≤ 5 ms | ${allOf(verdictOf('(h)'))} |`,
    );
  }
  if (a && costsText(a)) lines.push('', costsText(a));
  return lines.join('\n');
}
