import { describeProblem } from '../../core/problems.js';
import { closest } from '../../core/suggest.js';
import { loadConfig } from '../../queue/config-file.js';
import type { Layout } from '../../queue/layout.js';
import { daemonConfig, invalidConfig } from './config-problems.js';
import { CliError } from './errors.js';

// The agent names a task may use: orchestrator.yaml's; while it is invalid, those of the config the
// running daemon keeps; with neither, undefined (and a warning: the name is not checked).
async function agentNames(layout: Layout, agent: string): Promise<string[] | undefined> {
  const loaded = loadConfig(layout);
  if (loaded.ok) return Object.keys(loaded.config.agents);
  const runs = await daemonConfig(layout);
  if (runs) return Object.keys(runs.slots);
  process.stderr.write(
    `warning: ${invalidConfig(loaded.problems.map(describeProblem))}; --agent ${agent} was not checked\n`,
  );
  return undefined;
}

// Refuses an unknown --agent at once, with a did-you-mean, instead of failing the task later.
export async function checkAgentName(layout: Layout, agent: string): Promise<void> {
  const names = await agentNames(layout, agent);
  if (names === undefined || names.includes(agent)) return;
  const guess = closest(agent, names);
  throw new CliError(
    `--agent: unknown agent "${agent}" (${guess ? `did you mean "${guess}"? ` : ''}agents: ${names.join(', ')})`,
    2,
  );
}
