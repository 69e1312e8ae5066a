import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { PRESET_NAMES } from '../agents/presets.js';
import { validateConfig, type Config } from '../core/config-schema.js';
import { formatProblem, type Problem } from '../core/problems.js';
import { configPathProblems } from './input-paths.js';
import type { Layout } from './layout.js';
import { parseYaml } from './task-file.js';

// `problems` are the lines of `errors` without the file name, for messages that name it themselves.
export type ConfigLoad = { ok: true; config: Config } | { ok: false; errors: string[]; problems: Problem[] };

// A workspace file as messages name it: relative to where the command runs.
export function shownFile(path: string): string {
  return relative(process.cwd(), path) || path;
}

// Reads and validates orchestrator.yaml. A missing file is a problem too: a folder without one is
// not a workspace (`orchestrate init` makes it one), and a daemon must not run on made-up defaults.
export function loadConfig(layout: Layout): ConfigLoad {
  const file = shownFile(layout.configPath);
  const fail = (problems: Problem[]): ConfigLoad => ({
    ok: false,
    problems,
    errors: problems.map((problem) => formatProblem(file, problem)),
  });
  let text: string;
  try {
    text = readFileSync(layout.configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail([
      {
        path: '',
        message:
          code === 'ENOENT'
            ? 'not found; run `orchestrate init` first'
            : `cannot be read (${(error as Error).message})`,
      },
    ]);
  }
  let data: unknown = {};
  if (text.trim() !== '') {
    const parsed = parseYaml(text);
    if ('problem' in parsed) return fail([parsed.problem]);
    data = parsed.data;
  }
  const validation = validateConfig(data, PRESET_NAMES);
  if (!validation.ok) return fail(validation.problems);
  // Where its paths really lead is known only here, where the files are.
  const outside = configPathProblems(layout.root, validation.config);
  if (outside.length > 0) return fail(outside);
  return { ok: true, config: validation.config };
}
