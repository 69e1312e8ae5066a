import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from '../agents/progress.js';
import { stallPolicy, type Config } from '../core/config-schema.js';
import { formatDuration } from '../core/duration.js';
import { isIgnoredName } from '../core/ids.js';
import { STATE_FOLDERS, type StateFolder } from '../core/state-folders.js';
import { layoutOf, type Layout } from '../queue/layout.js';
import { readErrorTrail, type LoggedError } from '../queue/error-trail.js';
import { stalledFor } from '../queue/run-files.js';
import { daemonStatus, type DaemonStatus } from '../control/daemon-status.js';
import { onePlace } from './support/one-place.js';
import { latestRun, unwatchedEnd } from './support/runs.js';
import { firstLine } from '../core/text.js';
import { shownPath } from '../core/worktree.js';
import { renderTable } from './support/table.js';
import { orchestrateCommand } from './support/command-hint.js';
import { daemonConfig, invalidConfig } from './support/config-problems.js';
import { describeProblem } from '../core/problems.js';
import { print, printJson } from './support/print.js';
import { waitingReport, type WaitingReport } from './support/waiting.js';

export interface RunningRow {
  id: string;
  agent: string | undefined;
  slot: string | undefined;
  attempt: number | undefined;
  started_at: string | undefined;
  elapsed_ms: number | undefined;
  // Set when the agent has written nothing for longer than its stall timeout.
  stalled_ms?: number;
  // What the agent's stream showed so far (presets that stream JSON; from runs/<id>/<n>/status.json).
  progress?: Progress;
  // The git worktree the agent works in (workspace: worktree), relative to the workspace, and its branch.
  worktree?: { path: string; branch: string };
  // Set when no daemon runs and the agent is no longer alive: how it ended, and what happens next.
  ended?: string;
}

export interface StatusReport {
  root: string;
  daemon: DaemonStatus;
  counts: Record<StateFolder, number>;
  invalid: number;
  running: RunningRow[];
  slots: { agent: string; running: number; max: number }[] | undefined;
  // The agents a task without `agent:` runs on in this daemon run (`start --agents`).
  pool?: string[];
  // Why each pending task waits (from the daemon when one runs, else from the task files).
  waiting: WaitingReport;
  // Whether orchestrator.yaml can be used; while it cannot, a running daemon keeps its last good one.
  config: { ok: true } | { ok: false; problems: string[] };
  // The latest errors the daemon logged (since it started; the last daemon's when none runs).
  errors: LoggedError[];
}

// How many of the daemon's latest errors the human form shows.
const ERRORS_SHOWN = 3;

// The human form lists this many waiting tasks; --json lists them all.
const WAITING_SHOWN = 20;

function taskIds(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.yaml') && !isIgnoredName(name))
      .map((name) => name.slice(0, -5));
  } catch {
    return [];
  }
}

// Counts and running tasks straight from the folders, and why pending tasks wait (asked of the
// daemon; only without one are the pending task files parsed).
// `waitingShown`: how many pending tasks' reasons are needed (without a daemon, each costs a read).
export async function statusReport(layout: Layout, options: { waitingShown?: number } = {}): Promise<StatusReport> {
  const seen = onePlace(
    layout,
    STATE_FOLDERS.flatMap((state) => taskIds(layout.folder(state)).map((id) => ({ id, state }))),
  );
  const ids = Object.fromEntries(
    STATE_FOLDERS.map((state) => [state, seen.filter((item) => item.state === state).map((item) => item.id)]),
  ) as Record<StateFolder, string[]>;
  const counts = Object.fromEntries(STATE_FOLDERS.map((state) => [state, ids[state].length])) as Record<
    StateFolder,
    number
  >;
  let invalid = 0;
  try {
    invalid = readdirSync(layout.folder('failed')).filter((name) => name.endsWith('.error')).length;
  } catch {
    // No failed/ folder yet.
  }
  const now = Date.now();
  const daemon = daemonStatus(layout);
  const running = ids.assigned.sort().map((id): RunningRow => {
    const run = latestRun(layout, id);
    // With no daemon watching, an agent may have ended meanwhile: say so rather than "running".
    const ended = daemon.running ? undefined : unwatchedEnd(layout, id);
    const started = run?.record?.started_at;
    const progress = run ? readProgress(run.dir) : undefined;
    const worktree = run?.record?.worktree;
    return {
      id,
      agent: run?.record?.agent,
      slot: run?.record?.slot,
      attempt: run?.number,
      started_at: started,
      elapsed_ms: started ? now - Date.parse(started) : undefined,
      ...(progress ? { progress } : {}),
      ...(worktree ? { worktree: { path: shownPath(layout.root, worktree.path), branch: worktree.branch } } : {}),
      ...(ended ? { ended } : {}),
    };
  });
  // Both questions to a running daemon at once: a busy one costs one wait, not two.
  const [waiting, runs] = await Promise.all([
    waitingReport(layout, ids, daemon.running, options.waitingShown),
    daemon.running ? daemonConfig(layout) : undefined,
  ]);
  const { loadConfig } = await import('../queue/config-file.js');
  const loaded = loadConfig(layout);
  if (loaded.ok) for (const row of running) markStalled(layout, loaded.config, row, now);
  // A running daemon says what it runs (its slots under `--agents`) and judges the file with its own
  // environment (an unset variable counts): ask it first.
  const maxima =
    runs?.slots ??
    (loaded.ok
      ? Object.fromEntries(
          Object.entries(loaded.config.agents).map(([agent, settings]) => [agent, settings.max_instances]),
        )
      : undefined);
  const slots =
    maxima &&
    Object.entries(maxima).map(([agent, max]) => ({
      agent,
      running: running.filter((row) => row.agent === agent && !row.ended).length,
      max,
    }));
  const problems = runs ? runs.problems : loaded.ok ? undefined : loaded.problems.map(describeProblem);
  const config: StatusReport['config'] = problems ? { ok: false, problems } : { ok: true };
  return {
    root: layout.root,
    daemon,
    counts,
    invalid,
    running,
    slots,
    ...(runs?.pool ? { pool: runs.pool } : {}),
    waiting,
    config,
    errors: readErrorTrail(layout.errorTrailPath),
  };
}

function readProgress(runDir: string): Progress | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as Progress;
  } catch {
    return undefined;
  }
}

// "3 turns · 5 tools · 12.3k tokens · $0.04 · → Write src/a.ts"
function describeProgress(progress: Progress): string {
  const tokens = (progress.tokens_in ?? 0) + (progress.tokens_out ?? 0);
  const parts = [
    `${progress.turns} turn${progress.turns === 1 ? '' : 's'}`,
    `${progress.tool_calls} tool${progress.tool_calls === 1 ? '' : 's'}`,
  ];
  if (tokens > 0) parts.push(`${tokens >= 1000 ? `${(tokens / 1000).toFixed(1)}k` : tokens} tokens`);
  if (progress.cost_usd !== undefined) parts.push(`$${progress.cost_usd.toFixed(2)}`);
  if (progress.last_message) parts.push(progress.last_message);
  return parts.join(' · ');
}

function markStalled(layout: Layout, config: Config, row: RunningRow, now: number): void {
  if (!row.agent || !row.started_at || row.attempt === undefined) return;
  const quietMs = stalledFor(
    layout.runDir(row.id, row.attempt),
    Date.parse(row.started_at),
    stallPolicy(config, row.agent).timeoutMs,
    now,
  );
  if (quietMs !== undefined) row.stalled_ms = quietMs;
}

// A logged time as people read it: the time of day, with the date when it is not today.
function shownTime(iso: string): string {
  const time = new Date(iso);
  const clock = time.toTimeString().slice(0, 8);
  const day = `${time.getFullYear()}-${String(time.getMonth() + 1).padStart(2, '0')}-${String(time.getDate()).padStart(2, '0')}`;
  return time.toDateString() === new Date().toDateString() ? clock : `${day} ${clock}`;
}

// The human form of `orchestrate status`.
export function renderStatus(report: StatusReport): string {
  const { counts, daemon } = report;
  const command = (...args: string[]) => `\`${orchestrateCommand(layoutOf(report.root), ...args)}\``;
  const lines = [
    daemon.running
      ? `daemon: running (pid ${daemon.pid}, up ${formatDuration(Date.now() - Date.parse(daemon.startedAt ?? ''))})`
      : `daemon: not running (start it with ${command('start')})`,
    ...(report.config.ok
      ? []
      : [
          `config: ${invalidConfig(report.config.problems)}; ${daemon.running ? `the daemon (pid ${daemon.pid}) keeps running its last good config` : `${command('start')} refuses it`} (see ${command('doctor')})`,
        ]),
    `tasks: ${counts.pending} pending · ${counts.assigned} running · ${counts.completed} completed · ${counts.failed} failed${report.invalid ? ` (${report.invalid} invalid: see tasks/failed/*.error)` : ''}`,
  ];
  if (report.slots)
    lines.push(
      `agents: ${report.slots.map((slot) => `${slot.agent} ${slot.running}/${slot.max}`).join(' · ')}${report.pool ? ` (this run's pool: ${report.pool.join(', ')})` : ''}`,
    );
  if (report.running.length > 0) {
    const state = (row: RunningRow) =>
      row.ended ??
      (row.stalled_ms === undefined ? 'running' : `stalled (no output for ${formatDuration(row.stalled_ms)})`);
    // The WORKTREE column appears only when some running task works in one.
    const worktrees = report.running.some((row) => row.worktree);
    const rows = report.running.map((row) => [
      firstLine(row.id, 40),
      row.slot ?? '-',
      String(row.attempt ?? '-'),
      row.elapsed_ms === undefined ? '-' : formatDuration(row.elapsed_ms),
      state(row),
      ...(worktrees ? [row.worktree ? `${row.worktree.path} (${row.worktree.branch})` : '-'] : []),
      row.progress ? firstLine(describeProgress(row.progress), 100) : '',
    ]);
    lines.push(
      '',
      renderTable(
        ['RUNNING', 'SLOT', 'ATTEMPT', 'ELAPSED', 'STATE', ...(worktrees ? ['WORKTREE'] : []), 'PROGRESS'],
        rows,
      ),
    );
  }
  if (report.errors.length > 0) {
    lines.push(
      '',
      `${daemon.running ? 'errors the daemon logged' : 'errors the last daemon logged'} (the latest ${Math.min(ERRORS_SHOWN, report.errors.length)}; more in .orchestrate/daemon.log):`,
    );
    for (const error of report.errors.slice(-ERRORS_SHOWN))
      lines.push(`  ${shownTime(error.time)}  ${firstLine(error.message, 200)}`);
  }
  const { rows: waiting, source, omitted = 0 } = report.waiting;
  if (waiting.length > 0) {
    const shown = waiting.slice(0, WAITING_SHOWN).map((row) => [firstLine(row.id, 40), row.text]);
    const more = waiting.length - shown.length + omitted;
    lines.push(
      '',
      renderTable(
        ['PENDING', source === 'daemon' ? 'WHY IT WAITS' : 'WHY IT WAITS (from the task files; no daemon answered)'],
        shown,
      ),
    );
    if (more > 0) lines.push(`… and ${more} more (${command('status', '--json')} lists them all)`);
  }
  return lines.join('\n');
}

// `orchestrate status [--json]`: the report, printed.
export async function statusCommand(layout: Layout, options: { json?: boolean }): Promise<void> {
  const report = await statusReport(layout, options.json ? {} : { waitingShown: WAITING_SHOWN });
  if (options.json) printJson(report);
  else print(renderStatus(report));
}
