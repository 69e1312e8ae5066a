import { ConfigError, DaemonBusyError, runDaemon } from '../daemon/run-daemon.js';
import { fstatSync, statSync } from 'node:fs';
import { createLogger, type LogRotation } from '../daemon/logger.js';
import type { Layout } from '../queue/layout.js';
import { agentSlotsOption } from './support/agent-slots.js';
import { configOrFail } from './support/config.js';
import { CliError } from './support/errors.js';

// The daemon's log file, when stdout is it (as `orchestrate start` sets up): it is rotated by size.
function logRotation(layout: Layout): { rotation?: LogRotation } {
  try {
    const out = fstatSync(1);
    const log = statSync(layout.daemonLogPath);
    return out.isFile() && out.ino === log.ino && out.dev === log.dev
      ? { rotation: { path: layout.daemonLogPath } }
      : {};
  } catch {
    return {};
  }
}

// `orchestrate run`: the daemon in the foreground. Ctrl-C or SIGTERM stops it the way `stop` does;
// agents keep running and the next daemon re-adopts them.
export async function runForeground(
  layout: Layout,
  options: { untilIdle?: boolean; logFormat?: string; agents?: string },
): Promise<void> {
  const agentSlots = options.agents === undefined ? undefined : agentSlotsOption(options.agents, configOrFail(layout));
  const pretty = options.logFormat === 'pretty' || (options.logFormat === undefined && process.stdout.isTTY === true);
  const logger = createLogger({ pretty, ...logRotation(layout) });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    const exit = await runDaemon({
      root: layout.root,
      signal: controller.signal,
      logger,
      untilIdle: options.untilIdle ?? false,
      ...(agentSlots ? { agentSlots } : {}),
    });
    // Idle is not done: a script must not take tasks that can never start for success.
    if (exit.stuck.length > 0) {
      const count =
        exit.stuck.length === 1
          ? '1 pending task that cannot start'
          : `${exit.stuck.length} pending tasks that cannot start`;
      throw new CliError(
        [`stopped idle with ${count}:`, ...exit.stuck.map((task) => `  ${task.id}: ${task.why}`)].join('\n'),
      );
    }
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.lines.join('\n'));
    if (error instanceof DaemonBusyError) throw new CliError(error.message);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
