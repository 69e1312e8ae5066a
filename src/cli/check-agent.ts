import { closest } from '../core/suggest.js';
import { configOrFail } from './config.js';
import type { Layout } from '../queue/layout.js';
import { CliError } from './errors.js';

// Refuses an unknown --agent at once, with a did-you-mean, instead of failing the task later.
export function checkAgentName(layout: Layout, agent: string): void {
  const names = Object.keys(configOrFail(layout).agents);
  if (names.includes(agent)) return;
  const guess = closest(agent, names);
  throw new CliError(`--agent: unknown agent "${agent}" (${guess ? `did you mean "${guess}"? ` : ''}agents: ${names.join(', ')})`, 2);
}
