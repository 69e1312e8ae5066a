import { type AddOptions, addTask } from '../add.js';
import type { Layout } from '../../queue/layout.js';
import { print } from './print.js';
import { ringDaemon } from './ring.js';

// What `orchestrate add` does once its command line is read: checks the agent it names, writes the
// task into pending/, prints its id and rings the daemon.
export async function submitTask(layout: Layout, words: readonly string[], options: AddOptions): Promise<void> {
  if (options.agent) {
    const { checkAgentName } = await import('./check-agent.js');
    await checkAgentName(layout, options.agent);
  }
  const id = await addTask(layout, words.join(' '), options);
  print(id);
  await ringDaemon(layout, [id]);
}
