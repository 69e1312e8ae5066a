import { sendControl } from '../../control/control-socket.js';
import type { Layout } from '../../queue/layout.js';
import { orchestrateCommand } from './command-hint.js';
import { invalidConfig } from './config-problems.js';

// Tells the daemon new tasks are in pending/ (so it need not wait for the watcher), and says on
// stderr when no daemon runs, or when the one that runs keeps an older config than the file's.
export async function ringDaemon(layout: Layout, ids: string[]): Promise<void> {
  const reply = await sendControl(layout, { cmd: 'ring', ids }, 1000);
  if (!reply)
    process.stderr.write(`note: no daemon is running; start one with \`${orchestrateCommand(layout, 'start')}\`\n`);
  else if (reply.ok && Array.isArray(reply.config_problems))
    process.stderr.write(
      `warning: ${invalidConfig(reply.config_problems as string[])}; the daemon keeps running its last good config\n`,
    );
}
