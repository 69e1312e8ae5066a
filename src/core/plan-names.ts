import { foldCase } from './ids.js';
import type { Problem } from './problems.js';

// Entry names have no dots, so `<plan>.<name>` splits at its last dot.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

// Each entry's name (undefined where it is missing, bad, or taken in any case), problems for the rest.
// An entry that is no mapping is undefined here (its problem is reported with its fields).
export function entryNames(entries: ({ name?: unknown } | undefined)[], problems: Problem[]): (string | undefined)[] {
  const first = new Map<string, number>();
  // Names that differ only in case make ids that do: one task file on macOS and Windows.
  const folded = new Map<string, string>();
  return entries.map((entry, index) => {
    if (entry === undefined) return undefined;
    const name = entry.name;
    const path = `tasks[${index}].name`;
    if (name === undefined)
      problems.push({
        path,
        message: 'is required: each task needs a name that others can depend on (add `name: build`)',
      });
    else if (typeof name !== 'string' || !NAME_PATTERN.test(name))
      problems.push({
        path,
        message: 'must be a name of letters, digits, "_" and "-", starting with a letter or digit',
      });
    else if (first.has(name))
      problems.push({
        path,
        message: `"${name}" is already the name of tasks[${first.get(name)}] (names must be unique)`,
      });
    else if (folded.has(foldCase(name))) {
      const other = folded.get(foldCase(name))!;
      problems.push({
        path,
        message: `"${name}" differs only in case from "${other}", the name of tasks[${first.get(other)}]: on macOS and Windows their task files are one (use another name)`,
      });
    } else {
      first.set(name, index);
      folded.set(foldCase(name), name);
      return name;
    }
    return undefined;
  });
}
