import type { Config } from './config-schema.js';
import { closest } from './suggest.js';

// Slots per agent name for one daemon run.
export type AgentSlots = Record<string, number>;

// The slots, or the one problem with what was typed.
export type SlotsParse = { ok: true; slots: AgentSlots } | { ok: false; problem: string };

// Reads `--agents claude:2,codex:1`: slots per agent for one daemon run, checked against the config.
export function parseAgentSlots(text: string, agentNames: readonly string[]): SlotsParse {
  const slots: AgentSlots = {};
  for (const part of text.split(',').map((item) => item.trim())) {
    const match = /^([^:\s]+):(\d+)$/.exec(part);
    if (!match) return { ok: false, problem: `"${part}" is not NAME:SLOTS (for example claude:2,codex:1)` };
    const [, name, count] = match as unknown as [string, string, string];
    if (!agentNames.includes(name)) {
      const hint = closest(name, agentNames);
      return {
        ok: false,
        problem: `unknown agent "${name}" (${hint ? `did you mean "${hint}"? ` : ''}agents in orchestrator.yaml: ${agentNames.join(', ')})`,
      };
    }
    if (name in slots) return { ok: false, problem: `agent "${name}" is given twice` };
    slots[name] = Number(count);
  }
  return { ok: true, slots };
}

// The config with the slots of this daemon run in place of the agents' max_instances (0 holds an
// agent back), and the agents given slots as the run's pool: `start --agents claude:2,codex:2` then
// `add` without --agent runs on claude and codex, whatever defaults.agent says. Names no longer in
// the config (a reload dropped them) are returned, not applied.
export function withAgentSlots(config: Config, slots: AgentSlots | undefined): { config: Config; unknown: string[] } {
  if (!slots) return { config, unknown: [] };
  const agents = { ...config.agents };
  const unknown: string[] = [];
  const pool: string[] = [];
  for (const [name, count] of Object.entries(slots)) {
    const agent = agents[name];
    if (!agent) unknown.push(name);
    else {
      agents[name] = { ...agent, max_instances: count };
      if (count > 0) pool.push(name);
    }
  }
  // Only agents held back (`--agents claude:0`): no pool, the usual choice among the others.
  return { config: pool.length > 0 ? { ...config, agents, pool } : { ...config, agents }, unknown };
}
