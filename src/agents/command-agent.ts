import { splitCommandLine } from '../core/argv.js';
import { promptWithRole } from './launch-args.js';
import { readPlainOutput } from './plain-output.js';
import type { AgentPreset, LaunchContext } from './preset.js';

// Placeholders are replaced inside single argv words, never spliced into shell text.
function substitute(word: string, context: LaunchContext): string {
  return word.replace(/\{(prompt|prompt_file|task_id|workdir)\}/g, (_, name: string) => {
    switch (name) {
      case 'prompt':
        return promptWithRole(context);
      case 'prompt_file':
        return context.promptFile;
      case 'task_id':
        return context.taskId;
      default:
        return context.workdir;
    }
  });
}

// Any command as an agent (`command:` in orchestrator.yaml): a string or an argv list with placeholders.
export const commandAgent: AgentPreset = {
  name: 'command',
  launch(context) {
    const command = context.agent.command!;
    const split = typeof command === 'string' ? splitCommandLine(command) : { ok: true as const, argv: command };
    if (!split.ok) return { kind: 'refused', error: `command ${split.problem}` };
    const argv = [...split.argv, ...(context.agent.args ?? [])].map((word) => substitute(word, context));
    return { kind: 'exec', argv };
  },
  read: readPlainOutput,
};
