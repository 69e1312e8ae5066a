import type { z } from 'zod';
import { closest } from './suggest.js';

// One thing wrong with an input: where (a dotted field path or "line N") and what to do.
export interface Problem {
  path: string;
  message: string;
}

// The one-line form people see: `file: path.to.field: problem (fix)`.
export function formatProblem(file: string, problem: Problem): string {
  return `${file}: ${describeProblem(problem)}`;
}

// The same without the file, for a message that names it already: `path.to.field: problem (fix)`.
export function describeProblem(problem: Problem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
}

type SchemaDef = {
  type?: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  valueType?: unknown;
  in?: unknown;
};

function unwrap(schema: unknown): SchemaDef | undefined {
  let def = (schema as { def?: SchemaDef } | undefined)?.def;
  while (def && (def.type === 'optional' || def.type === 'default' || def.type === 'pipe')) {
    def = ((def.type === 'pipe' ? def.in : def.innerType) as { def?: SchemaDef } | undefined)?.def;
  }
  return def;
}

function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let def = unwrap(schema);
  for (const part of path) {
    if (!def) return [];
    if (def.type === 'array') def = unwrap(def.element);
    else if (def.type === 'record') def = unwrap(def.valueType);
    else def = unwrap(def.shape?.[String(part)]);
  }
  return def?.shape ? Object.keys(def.shape) : [];
}

// A field no schema knows, at `path` (which ends in it), with a did-you-mean or the known fields
// (`listKnown: false` when an earlier line listed them already).
export function unknownField(path: string, key: string, known: readonly string[], listKnown = true): Problem {
  const guess = closest(key, known);
  if (guess) return { path, message: `unknown field (did you mean "${guess}"?)` };
  return { path, message: listKnown ? `unknown field (known fields: ${known.join(', ')})` : 'unknown field' };
}

// More problems than a person fixes in one go are summed up in a last line, so a file of 60,000
// wrong fields gives a readable .error and log, not 60,000 lines of each.
const PROBLEMS_SHOWN = 20;

// Turns zod issues into problems, adding a did-you-mean to unknown fields.
export function problemsFromZod(error: z.ZodError, schema: z.ZodType): Problem[] {
  const problems: Problem[] = [];
  let total = 0;
  const add = (problem: () => Problem) => {
    if (++total <= PROBLEMS_SHOWN) problems.push(problem());
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const [index, key] of issue.keys.entries()) {
        add(() => unknownField(pathOf([...issue.path, key]), key, known, index === 0));
      }
      continue;
    }
    add(() => ({ path: pathOf(issue.path), message: issue.message }));
  }
  if (total > PROBLEMS_SHOWN)
    problems.push({ path: '', message: `and ${total - PROBLEMS_SHOWN} more problems (fix the ones above first)` });
  return problems;
}
