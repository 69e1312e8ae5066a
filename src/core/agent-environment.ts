import { isAbsolute, resolve } from 'node:path';
import type { AgentConfig, Config, ConfigValidation } from './config-schema.js';
import type { Problem } from './problems.js';
import { expandVariables, variableSyntaxProblem } from './variables.js';

// The daemon's environment (its own, plus the workspace's .env), which every agent inherits.
export type Environment = Readonly<Record<string, string | undefined>>;

// What is wrong with an agent's `bin:` and the variables of its `env:`, whatever the environment.
export function agentSettingProblems(name: string, agent: AgentConfig): Problem[] {
  const problems: Problem[] = [];
  for (const [variable, value] of Object.entries(agent.env ?? {})) {
    const problem = variableSyntaxProblem(value);
    if (problem) problems.push({ path: `agents.${name}.env.${variable}`, message: problem });
  }
  if (agent.bin === undefined) return problems;
  const path = `agents.${name}.bin`;
  if (agent.command !== undefined)
    problems.push({
      path,
      message: 'is for presets; a command: agent names its program as the first word of command:',
    });
  else if (agent.preset === 'shell')
    problems.push({
      path,
      message: 'is for the AI presets (claude, codex, gemini, qwen, copilot); the shell preset runs /bin/sh',
    });
  else if (agent.bin.startsWith('~'))
    problems.push({ path, message: '~ is not expanded here (write ${HOME}/... instead)' });
  else {
    const problem = variableSyntaxProblem(agent.bin);
    if (problem) problems.push({ path, message: problem });
  }
  return problems;
}

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
