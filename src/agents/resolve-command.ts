import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function search(command: string, cwd: string, path: string | undefined): string | undefined {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : join(cwd, command)]
    : (path ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  return candidates.find(isExecutable);
}

const found = new Map<string, string>();

// Where an argv[0] would be executed from, searched like the shell does (undefined: not found).
// The daemon asks for the same agents' programs run after run: where one was found last time is
// looked at first, and the search (a look in each folder on PATH) is made again only when it is gone.
export function findCommand(command: string, cwd: string, path: string | undefined): string | undefined {
  const key = JSON.stringify([command, cwd, path]);
  const last = found.get(key);
  if (last !== undefined && isExecutable(last)) return last;
  const where = search(command, cwd, path);
  if (where === undefined) found.delete(key);
  else found.set(key, where);
  return where;
}
