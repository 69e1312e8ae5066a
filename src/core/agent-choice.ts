import type { Config } from './config-schema.js';
import { closest } from './suggest.js';
import type { WaitReason } from './wait-reason.js';

// Where a task can run now: an agent, a reason to wait, or bad input to set aside.
export type AgentChoice =
  | { kind: 'agent'; agent: string }
  | { kind: 'wait'; reason: WaitReason }
  | { kind: 'reject'; field: string; message: string };

// The agent and role a task asks for (either may be absent): tasks that ask alike run on the same agents.
export interface AgentWish {
  agent: string | undefined;
  role: string | undefined;
}

// What choosing an agent depends on besides the task.
export interface AgentFacts {
  config: Pick<Config, 'agents' | 'defaults'> & Partial<Pick<Config, 'roles' | 'pool'>>;
  // Runs per agent, including the ones started earlier in this pass.
  load: ReadonlyMap<string, number>;
  // Agents paused by a usage or rate limit, until when (ms).
  paused: ReadonlyMap<string, number> | undefined;
  now: number;
}

// Which agents may run a task: the one it names; else those configured for its role (the ones in
// this run's pool, if any are); else the pool (`--agents`); else defaults.agent; else any. A reject
// when the task names an agent or role that does not exist.
export function candidateAgents(
  wish: AgentWish,
  config: AgentFacts['config'],
): string[] | Extract<AgentChoice, { kind: 'reject' }> {
  const names = Object.keys(config.agents);
  const { agent: named, role } = wish;
  if (role !== undefined && config.roles && !(role in config.roles)) {
    const roles = Object.keys(config.roles);
    const hint = closest(role, roles);
    return {
      kind: 'reject',
      field: 'role',
      message: `unknown role "${role}" (${hint ? `did you mean "${hint}"? ` : ''}roles: ${roles.join(', ')}; add one under roles: in orchestrator.yaml)`,
    };
  }
  if (named !== undefined) {
    if (named in config.agents) return [named];
    return {
      kind: 'reject',
      field: 'agent',
      message: `unknown agent "${named}" (agents in orchestrator.yaml: ${names.join(', ')})`,
    };
  }
  const { pool } = config;
  if (role !== undefined) {
    const forRole = names.filter((name) => config.agents[name]!.roles?.includes(role));
    const pooled = pool ? pool.filter((name) => forRole.includes(name)) : [];
    if (pooled.length > 0) return pooled;
    if (forRole.length > 0) return forRole;
  }
  if (pool) return pool;
  if (config.defaults.agent !== undefined) {
    if (config.defaults.agent in config.agents) return [config.defaults.agent];
    return {
      kind: 'reject',
      field: 'agent',
      message: `unknown agent "${config.defaults.agent}" from defaults.agent (agents in orchestrator.yaml: ${names.join(', ')})`,
    };
  }
  return names;
}

// The least loaded candidate with a free slot that is not paused, else why the task waits.
export function chooseAgent(
  candidates: readonly string[],
  facts: AgentFacts,
): Exclude<AgentChoice, { kind: 'reject' }> {
  let best: string | undefined;
  let bestLoad = Infinity;
  let pausedAgent: string | undefined;
  let pausedUntil = Infinity;
  const full: string[] = [];
  for (const name of candidates) {
    const until = facts.paused?.get(name);
    if (until !== undefined && until > facts.now) {
      if (until < pausedUntil) [pausedAgent, pausedUntil] = [name, until];
      continue;
    }
    const used = facts.load.get(name) ?? 0;
    if (used >= facts.config.agents[name]!.max_instances) full.push(name);
    else if (used < bestLoad) [best, bestLoad] = [name, used];
  }
  if (best !== undefined) return { kind: 'agent', agent: best };
  if (full.length === 0 && pausedAgent !== undefined)
    return { kind: 'wait', reason: { kind: 'paused', agent: pausedAgent, until: pausedUntil } };
  const heldBack = full.filter((name) => facts.config.agents[name]!.max_instances === 0);
  return {
    kind: 'wait',
    reason: heldBack.length > 0 ? { kind: 'slot', agents: full, heldBack } : { kind: 'slot', agents: full },
  };
}
