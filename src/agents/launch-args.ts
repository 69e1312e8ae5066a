import type { LaunchContext } from './preset.js';

// The prompt with the role's instructions first, for CLIs that take no separate system prompt.
export function promptWithRole(context: Pick<LaunchContext, 'prompt' | 'systemPrompt'>): string {
  return context.systemPrompt ? `## Your role\n\n${context.systemPrompt}\n\n${context.prompt}` : context.prompt;
}

// `--model NAME` when the agent names a model, then the agent's extra args from orchestrator.yaml.
export function extraArgs(agent: LaunchContext['agent']): string[] {
  return [...(agent.model ? ['--model', agent.model] : []), ...(agent.args ?? [])];
}
