import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

// Whether an argv[0] can be executed, searched like the shell does: a missing CLI becomes a clear
// spawn_error instead of a "not found" buried in the agent's stderr.
export function commandExists(command: string, cwd: string, path: string | undefined): boolean {
  const candidates = command.includes('/') ? [isAbsolute(command) ? command : join(cwd, command)] : (path ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
