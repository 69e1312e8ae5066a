import type { Problem } from './problems.js';
import { variableSyntaxProblem } from './variables.js';

// The fields of an agent's config these checks read (typed here so config-schema can call them).
interface AgentSettings {
  env?: Readonly<Record<string, string>> | undefined;
  bin?: string | undefined;
  command?: unknown;
  preset?: string | undefined;
}

// What is wrong with an agent's `bin:` and the variables of its `env:`, whatever the environment.
export function agentSettingProblems(name: string, agent: AgentSettings): Problem[] {
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
