import type { AgentConfig } from '../core/config-schema.js';
import type { Launch, LaunchContext } from './preset.js';
import { presetFor } from './presets.js';
import { findCommand } from './resolve-command.js';

type Startable = Exclude<Launch, { kind: 'refused' }>;

// The command line an agent starts with: its preset's, with the agent's `bin:` as the program.
export function launchAgent(context: LaunchContext): Launch {
  const launch = presetFor(context.agent).launch(context);
  const bin = context.agent.bin;
  return launch.kind === 'exec' && bin !== undefined ? { ...launch, argv: [bin, ...launch.argv.slice(1)] } : launch;
}

// The program a launch runs (a script runs in /bin/sh).
export function programOf(launch: Startable): string {
  return launch.kind === 'exec' ? launch.argv[0]! : '/bin/sh';
}

// Where the run's runner shell will find that program: on the run's PATH (the launch's own variables
// over the agent's environment), a relative path from the agent's working folder. Undefined: nowhere.
export function findProgram(
  launch: Startable,
  workdir: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return findCommand(programOf(launch), workdir, launch.env?.PATH ?? env.PATH);
}

// The one line saying an agent's program is missing, and how to fix that.
export function programNotFound(name: string, agent: AgentConfig, program: string): string {
  const install = presetFor(agent).install;
  const installIt = install ? `install it with \`${install}\`` : 'install it';
  if (agent.bin === undefined && install)
    return `command not found: ${program} (${installIt}, or give its path as agents.${name}.bin in orchestrator.yaml)`;
  return agent.bin === undefined
    ? `command not found: ${program} (${installIt}, or fix agents.${name} in orchestrator.yaml)`
    : `command not found: ${program} (fix agents.${name}.bin in orchestrator.yaml, or ${installIt})`;
}
