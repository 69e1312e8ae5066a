import { parseAgentSlots, type AgentSlots } from '../../core/agent-slots.js';
import type { Config } from '../../core/config-schema.js';
import { CliError } from './errors.js';

// `--agents claude:2,codex:1` of `start` and `run`, checked against the config: a usage error if wrong.
export function agentSlotsOption(text: string | undefined, config: Config): AgentSlots | undefined {
  if (text === undefined) return undefined;
  const parsed = parseAgentSlots(text, Object.keys(config.agents));
  if (!parsed.ok) throw new CliError(`--agents: ${parsed.problem}`, 2);
  return parsed.slots;
}
