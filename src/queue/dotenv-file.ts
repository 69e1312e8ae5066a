import { readFileSync } from 'node:fs';
import { parseDotenv } from '../core/dotenv.js';
import { shownFile } from './config-file.js';
import type { Layout } from './layout.js';

export interface DotenvFile {
  values: Record<string, string>;
  // One line per malformed line, naming it (`.env:3: ...`); the other lines still count.
  warnings: string[];
}

// The workspace's .env, when there is one: the place for keys that must not be committed.
export function readDotenv(layout: Layout): DotenvFile {
  const file = shownFile(layout.envPath);
  let text: string;
  try {
    text = readFileSync(layout.envPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      values: {},
      warnings:
        code === 'ENOENT'
          ? []
          : [`${file}: cannot be read, so its variables are not set (${(error as Error).message})`],
    };
  }
  const parsed = parseDotenv(text);
  return {
    values: parsed.values,
    warnings: parsed.problems.map((problem) => `${file}:${problem.line}: ${problem.message}; this line is ignored`),
  };
}
