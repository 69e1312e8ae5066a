import { statSync, unlinkSync, watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import type { AgentSlots } from '../core/agent-slots.js';
import { STATE_FOLDERS } from '../core/state-folders.js';
import { describePending } from '../core/wait-reason.js';
import { sweepTempFiles, writeFileAtomicSync } from '../queue/atomic-write.js';
import { layoutOf, type Layout } from '../queue/layout.js';
import { TaskIndex } from '../queue/task-index.js';
import { ensureWorkspace } from '../queue/workspace-folders.js';
import { ConfigSource } from './config-source.js';
import type { ControlReply, ControlRequest } from '../control/control-socket.js';
import { listenControl } from '../control/control-server.js';
import { costsSoFar } from './costs.js';
import { Daemon } from './daemon.js';
import { EventLog } from './event-log.js';
import { silentLogger, withErrorTrail, type Logger } from './logger.js';
import { ErrorTrail } from '../queue/error-trail.js';
import { describeTable, processTable } from '../process/process-table.js';

export interface DaemonOptions {
  root: string;
  // Aborting stops the daemon the way `orchestrate stop` does (agents keep running).
  signal?: AbortSignal;
  logger?: Logger;
  // Exit once nothing is pending or running (the example job, scripts, CI).
  untilIdle?: boolean;
  // Called once the daemon holds the workspace and has written its pid file.
  onReady?: (info: DaemonInfo) => void;
  // Slots per agent for this run only, in place of their max_instances (`--agents claude:2`).
  agentSlots?: AgentSlots;
}

export interface DaemonInfo {
  pid: number;
  root: string;
  started_at: string;
}

export interface DaemonExit {
  reason: 'stopped' | 'idle' | 'signal' | 'removed';
  // Idle: the pending tasks that can never start, each with why (as `orchestrate status` says it).
  stuck: { id: string; why: string }[];
}

// Thrown when orchestrator.yaml is invalid at start (part of the library API beside runDaemon).
export { ConfigError } from './config-source.js';

// Thrown when another daemon already holds the workspace.
export class DaemonBusyError extends Error {
  constructor(readonly pid: number | undefined) {
    super(`another daemon holds this workspace${pid ? ` (pid ${pid})` : ''}; stop it with \`orchestrate stop\``);
  }
}

/**
 * Runs the orchestrate daemon on a workspace until it is stopped (by `signal`, a control `stop`
 * request, or idleness with `untilIdle`). Running agents are left running unless the stop asked to
 * kill them; the next daemon re-adopts them.
 */
export async function runDaemon(options: DaemonOptions): Promise<DaemonExit> {
  const layout = layoutOf(options.root);
  const trail = new ErrorTrail(layout.errorTrailPath);
  const log = withErrorTrail(options.logger ?? silentLogger(), trail);
  let daemon: Daemon | undefined;
  const configs = new ConfigSource(layout, options.agentSlots, log, () => daemon?.ring({ full: true }));
  ensureWorkspace(layout);

  let stopRequest:
    | ((request: { killAgents: boolean; wait: boolean; reason: DaemonExit['reason'] }) => void)
    | undefined;
  const stopped = new Promise<{ killAgents: boolean; wait: boolean; reason: DaemonExit['reason'] }>(
    (resolve) => (stopRequest = resolve),
  );

  const handle = async (request: ControlRequest, _socket: Socket): Promise<ControlReply> => {
    switch (request.cmd) {
      case 'ping': {
        const { agents, pool } = configs.current();
        // This run's slots (`--agents` sets them) and pool, as status and agents show them.
        const slots = Object.fromEntries(Object.entries(agents).map(([name, agent]) => [name, agent.max_instances]));
        return {
          ok: true,
          pid: process.pid,
          root: layout.root,
          slots,
          ...(pool ? { pool } : {}),
          ...configState(configs),
          costs: costsSoFar(),
        };
      }
      case 'ring':
        daemon?.ring({ pendingIds: request.ids, trusted: true });
        return { ok: true, ...configState(configs) };
      case 'cancel': {
        if (!daemon) return { ok: false, error: 'the daemon is starting; try again' };
        const result = await daemon.cancel(request.id);
        return result.ok ? { ok: true, message: result.message } : { ok: false, error: result.message };
      }
      case 'waiting':
        return daemon
          ? { ok: true, ...daemon.explainWaiting() }
          : { ok: false, error: 'the daemon is starting; try again' };
      case 'stop':
        // The agents a previous daemon left count too: they are this daemon's to stop once recovered.
        if (request.killAgents) await daemon?.whenRecovered();
        stopRequest?.({ killAgents: request.killAgents ?? false, wait: request.wait ?? false, reason: 'stopped' });
        return { ok: true, pid: process.pid, running: daemon ? [...daemon.runner.runs.keys()].sort() : [] };
      default:
        return { ok: false, error: 'unknown request' };
    }
  };

  const listening = await listenControl(layout, handle);
  if (!listening.ok) throw new DaemonBusyError(listening.heldByPid);
  trail.start();
  const info: DaemonInfo = { pid: process.pid, root: layout.root, started_at: new Date().toISOString() };
  writeFileAtomicSync(layout.daemonInfoPath, `${JSON.stringify(info)}\n`, { durable: false });

  for (const dir of [
    ...STATE_FOLDERS.map((state) => layout.folder(state)),
    layout.contextDir,
    layout.outputsDir,
    layout.runtimeDir,
  ]) {
    for (const path of sweepTempFiles(dir)) log.info({ path }, 'swept a temp file left by a crash');
  }

  const events = new EventLog(layout.eventsPath);
  const worker = `${hostname()}:${process.pid}`;
  daemon = new Daemon({
    layout,
    config: () => configs.current(),
    environment: () => configs.environment(),
    log,
    worker,
    index: TaskIndex.load(layout),
    event: (type, fields) => events.append(type, fields),
  });

  const watchers = startDoorbell(layout, daemon, () => configs.reloadSoon(), log);
  const rootIno = statSync(layout.root).ino;
  const rescan = setInterval(() => {
    // A workspace deleted (or deleted and made anew) under a daemon would keep it running forever,
    // holding the socket a new daemon for that path needs.
    if (statSync(layout.root, { throwIfNoEntry: false })?.ino !== rootIno) {
      log.error(`the workspace ${layout.root} was removed; stopping (agents keep running)`);
      stopRequest?.({ killAgents: false, wait: false, reason: 'removed' });
      return;
    }
    configs.refresh();
    daemon?.ring({ full: true });
  }, configs.current().rescanIntervalMs);
  const onAbort = () => stopRequest?.({ killAgents: false, wait: false, reason: 'signal' });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  log.info({ pid: process.pid, root: layout.root }, `daemon started (pid ${process.pid})`);
  log.info({ processTable: processTable.name }, `process table: ${describeTable()}`);
  options.onReady?.(info);
  daemon.ring({ full: true });
  if (options.untilIdle)
    void daemon.whenIdle().then(() => stopRequest?.({ killAgents: false, wait: false, reason: 'idle' }));

  const request = await stopped;
  const stuck = request.reason === 'idle' ? stuckTasks(daemon) : [];
  daemon.stopClaiming();
  clearInterval(rescan);
  for (const watcher of watchers) watcher.close();
  configs.close();
  if (request.killAgents) {
    await daemon.whenRecovered();
    await Promise.all(
      [...daemon.runner.runs.keys()].map((id) =>
        daemon!.runner.stop(id, {
          outcome: 'cancelled',
          error: 'interrupted by orchestrate stop --kill-agents',
          requeue: true,
        }),
      ),
    );
  } else if (request.wait) {
    await Promise.all([...daemon.runner.runs.values()].map((run) => run.settled));
  }
  daemon.runner.detachAll();
  await daemon.flush();
  // What is left are runs detached above; the ones being stopped or recorded were finished by flush.
  const left = daemon.runner.runs.size;
  options.signal?.removeEventListener('abort', onAbort);
  await listening.close();
  try {
    unlinkSync(layout.daemonInfoPath);
  } catch {
    // Already gone.
  }
  events.close();
  log.info({ left }, left > 0 ? `daemon stopped; ${left} agent(s) left running for the next daemon` : 'daemon stopped');
  return { reason: request.reason, stuck };
}

// Told to `add` and `status`: the problems of an orchestrator.yaml the daemon could not take, while
// it keeps running its last good config (absent when it runs the file on disk).
function configState(configs: ConfigSource): { config_problems?: string[] } {
  const problems = configs.staleBecause();
  return problems ? { config_problems: problems } : {};
}

// What an idle daemon leaves in pending/: every task there waits for something nothing will bring.
function stuckTasks(daemon: Daemon): DaemonExit['stuck'] {
  const now = Date.now();
  return Object.entries(daemon.explainWaiting().waiting)
    .map(([id, view]) => ({ id, why: describePending(view, now) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

// The watcher is only a doorbell: it names what changed and the daemon looks for itself.
// fs.watch, not chokidar: no per-event folder re-listing, so bursts of thousands of files stay cheap.
function startDoorbell(layout: Layout, daemon: Daemon, reloadConfig: () => void, log: Logger): FSWatcher[] {
  const watchers: FSWatcher[] = [];
  const add = (dir: string, onEvent: (file: string | null) => void) => {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, file) => onEvent(file));
      watcher.on('error', (error) =>
        log.warn({ dir, err: error }, `watching ${dir} failed; the periodic rescan covers it`),
      );
      watchers.push(watcher);
    } catch (error) {
      log.warn({ dir, err: error }, `cannot watch ${dir}; relying on the periodic rescan`);
    }
  };
  add(layout.folder('pending'), (file) => {
    const id = file?.endsWith('.yaml') ? file.slice(0, -'.yaml'.length) : undefined;
    if (id !== undefined && !id.startsWith('.')) daemon.ring({ pendingIds: [id] });
    else if (file === null) daemon.ring({ full: true });
  });
  add(layout.folder('assigned'), () => daemon.ring({ assigned: true }));
  // The config's variables may come from .env, so a change of either reloads both.
  add(layout.root, (file) => {
    if (file === 'orchestrator.yaml' || file === '.env') reloadConfig();
  });
  return watchers;
}
