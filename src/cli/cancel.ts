import { sendControl } from '../control/control-socket.js';
import { loadConfig } from '../queue/config-file.js';
import { cancelPendingTask } from '../queue/cancel-pending.js';
import type { Layout } from '../queue/layout.js';
import { CliError } from './support/errors.js';
import { findTask } from './support/find-task.js';
import { stopOrphanRun } from './support/orphan-run.js';

// `orchestrate cancel`: through the daemon when one runs, else done here with the same rules.
export async function cancelTask(layout: Layout, id: string): Promise<string> {
  const state = findTask(layout, id);
  if (state === 'completed' || state === 'failed') throw new CliError(`${id} has already ended (it is in ${state}/)`);
  const loaded = loadConfig(layout);
  const graceMs = loaded.ok ? loaded.config.killGraceMs : 5000;
  const reply = await sendControl(layout, { cmd: 'cancel', id }, graceMs * 3 + 10_000);
  if (reply) {
    if (!reply.ok) throw new CliError(reply.error);
    return String(reply.message);
  }
  if (state === 'pending') {
    const result = await cancelPendingTask(layout, id);
    if (!result.ok) throw new CliError(result.message);
    return result.message;
  }
  // No daemon watches this run: its agent tree is stopped here.
  await stopOrphanRun(layout, id, {
    command: 'orchestrate cancel',
    error: 'cancelled by orchestrate cancel',
    requeue: false,
  });
  return `cancelled ${id}; its agent was stopped`;
}
