import { splitCommandLine } from './argv.js';
import type { Problem } from './problems.js';
import { closest } from './suggest.js';

// The config checks the schema cannot make, each with the fix: they run beside it, so one run of
// `doctor` lists every problem.

// Checks made on the config as written, whatever else the schema refused: command strings that need
// a shell, and a default agent that is not configured.
export function writtenProblems(data: unknown): Problem[] {
  const problems: Problem[] = [];
  const root = (data ?? {}) as { agents?: unknown; defaults?: { agent?: unknown } | null };
  // An absent agents: means the built-in shell agent; one that is not a mapping says nothing here.
  if (
    root.agents !== undefined &&
    (root.agents === null || typeof root.agents !== 'object' || Array.isArray(root.agents))
  )
    return problems;
  const agents = (root.agents ?? { shell: {} }) as Record<string, { command?: unknown } | null>;
  for (const [name, agent] of Object.entries(agents)) {
    if (typeof agent?.command !== 'string') continue;
    const split = splitCommandLine(agent.command);
    if (!split.ok) problems.push({ path: `agents.${name}.command`, message: split.problem });
  }
  const defaultAgent = root.defaults?.agent;
  const names = Object.keys(agents);
  if (typeof defaultAgent === 'string' && names.length > 0 && !names.includes(defaultAgent)) {
    const guess = closest(defaultAgent, names);
    problems.push({
      path: 'defaults.agent',
      message: `"${defaultAgent}" is not an agent in agents: (${guess ? `did you mean "${guess}"? ` : ''}known: ${names.join(', ')})`,
    });
  }
  return problems;
}

// Agents whose `preset:` names none of the known presets, with the nearest one.
export function unknownPresets(data: unknown, presetNames: readonly string[]): Problem[] {
  const agents = (data as { agents?: unknown } | null)?.agents;
  if (!agents || typeof agents !== 'object') return [];
  return Object.entries(agents).flatMap(([name, agent]) => {
    const preset = (agent as { preset?: unknown } | null)?.preset;
    if (typeof preset !== 'string' || presetNames.includes(preset)) return [];
    const guess = closest(preset, presetNames);
    return [
      {
        path: `agents.${name}.preset`,
        message: `unknown preset "${preset}" (${guess ? `did you mean "${guess}"? ` : ''}known: ${presetNames.join(', ')})`,
      },
    ];
  });
}

// Roles an agent takes that are neither built in nor under roles:, with the nearest one.
export function unknownAgentRoles(
  agent: string,
  roles: readonly string[] | undefined,
  known: readonly string[],
): Problem[] {
  return (roles ?? []).flatMap((role, index) => {
    if (known.includes(role)) return [];
    const hint = closest(role, known);
    return [
      {
        path: `agents.${agent}.roles[${index}]`,
        message: `unknown role "${role}" (${hint ? `did you mean "${hint}"? ` : ''}roles: ${known.join(', ')}; add one under roles:)`,
      },
    ];
  });
}
