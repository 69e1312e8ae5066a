import { isAbsolute, resolve } from 'node:path';
import type { AgentConfig, Config, ConfigValidation } from './config-schema.js';
import type { Problem } from './problems.js';
import { expandVariables } from './variables.js';

// The daemon's environment (its own, plus the workspace's .env), which every agent inherits.
export type Environment = Readonly<Record<string, string | undefined>>;

// The config with each agent's `env:` values and `bin:` filled in from `environment`, and a relative
// `bin:` made absolute from the workspace root: the daemon and doctor then run the very same file.
export function expandAgentSettings(config: Config, environment: Environment, root: string): ConfigValidation {
  const problems: Problem[] = [];
  const expand = (path: string, text: string): string => {
    const expanded = expandVariables(text, (name) => environment[name]);
    if (expanded.ok) return expanded.value;
    problems.push({ path, message: expanded.problem });
    return text;
  };
  const agents = Object.fromEntries(
    Object.entries(config.agents).map(([name, agent]) => {
      const env =
        agent.env &&
        Object.fromEntries(
          Object.entries(agent.env).map(([variable, value]) => [
            variable,
            expand(`agents.${name}.env.${variable}`, value),
          ]),
        );
      const bin = agent.bin === undefined ? undefined : programPath(expand(`agents.${name}.bin`, agent.bin), root);
      return [name, { ...agent, ...(env ? { env } : {}), ...(bin === undefined ? {} : { bin }) }];
    }),
  );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: { ...config, agents } };
}

// A program named by a path (it has a /) is taken from the workspace root; a bare name is looked up on PATH.
function programPath(program: string, root: string): string {
  return program.includes('/') && !isAbsolute(program) ? resolve(root, program) : program;
}

// What every run of an agent gets in its environment, before the run's own variables.
export function agentEnv(
  environment: Environment,
  root: string,
  agent: AgentConfig,
): Record<string, string | undefined> {
  return { ...environment, ...agent.env, ORCHESTRATE_ROOT: root };
}
