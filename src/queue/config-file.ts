import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { PRESET_NAMES } from '../agents/presets.js';
import { validateConfig, type Config } from '../core/config-schema.js';
import { formatProblem, type Problem } from '../core/problems.js';
import { configPathProblems } from './input-paths.js';
import type { Layout } from './layout.js';
import { parseYaml } from './task-file.js';

export type ConfigLoad = { ok: true; config: Config } | { ok: false; errors: string[] };

// A workspace file as messages name it: relative to where the command runs.
export function shownFile(path: string): string {
  return relative(process.cwd(), path) || path;
}

// Reads and validates orchestrator.yaml; a missing file means the built-in defaults (one shell agent).
export function loadConfig(layout: Layout): ConfigLoad {
  const file = shownFile(layout.configPath);
  let text: string;
  try {
    text = readFileSync(layout.configPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, errors: [`${file}: cannot be read (${(error as Error).message})`] };
    text = '';
  }
  let data: unknown = {};
  if (text.trim() !== '') {
    const parsed = parseYaml(text);
    if ('problem' in parsed) return { ok: false, errors: [formatProblem(file, parsed.problem)] };
    data = parsed.data;
  }
  const validation = validateConfig(data, PRESET_NAMES);
  const refuse = (problems: Problem[]): ConfigLoad => ({ ok: false, errors: problems.map((problem) => formatProblem(file, problem)) });
  if (!validation.ok) return refuse(validation.problems);
  // Where its paths really lead is known only here, where the files are.
  const outside = configPathProblems(layout.root, validation.config);
  if (outside.length > 0) return refuse(outside);
  return { ok: true, config: validation.config };
}
