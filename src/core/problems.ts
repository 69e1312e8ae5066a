import type { z } from 'zod';
import { closest } from './suggest.js';

// One thing wrong with an input: where (a dotted field path or "line N") and what to do.
export interface Problem {
  path: string;
  message: string;
}

// The one-line form people see: `file: path.to.field: problem (fix)`.
export function formatProblem(file: string, problem: Problem): string {
  return problem.path === '' ? `${file}: ${problem.message}` : `${file}: ${problem.path}: ${problem.message}`;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}

function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  for (const part of path) {
    const def = (current as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; innerType?: unknown } }).def;
    if (!def) return [];
    if (def.type === 'optional' || def.type === 'default') current = def.innerType;
    if (typeof part === 'number') current = (current as { def?: { element?: unknown } }).def?.element;
    else current = (current as { def?: { shape?: Record<string, unknown> } }).def?.shape?.[String(part)];
    const inner = (current as { def?: { type?: string; innerType?: unknown } } | undefined)?.def;
    if (inner && (inner.type === 'optional' || inner.type === 'default')) current = inner.innerType;
  }
  const shape = (current as { def?: { shape?: Record<string, unknown> } } | undefined)?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

// Turns zod issues into problems, adding a did-you-mean to unknown fields.
export function problemsFromZod(error: z.ZodError, schema: z.ZodType): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        const fix = guess ? `did you mean "${guess}"?` : `known fields: ${known.join(', ')}`;
        problems.push({ path: pathOf([...issue.path, key]), message: `unknown field (${fix})` });
      }
      continue;
    }
    problems.push({ path: pathOf(issue.path), message: issue.message });
  }
  return problems;
}
