import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Layout } from '../queue/layout.js';
import { parseTaskText } from '../queue/task-file.js';
import { childrenOf } from './support/children.js';
import { findTask } from './support/find-task.js';
import { attemptNumbers } from './support/runs.js';
import { readExitCode, readRunRecord } from '../queue/run-files.js';

// `orchestrate show`: the task file as written, where it is, its runs and the tasks it submitted.
export async function showTask(layout: Layout, id: string, json: boolean): Promise<string> {
  const state = findTask(layout, id);
  const path = layout.taskPath(state, id);
  const bytes = readFileSync(path);
  const errorPath = layout.errorPath(id);
  const error = state === 'failed' && existsSync(errorPath) ? readFileSync(errorPath, 'utf8') : undefined;
  const runs = attemptNumbers(layout, id).map((number) => {
    const dir = layout.runDir(id, number);
    return {
      attempt: number,
      dir: relative(layout.root, dir),
      record: readRunRecord(dir),
      exit_code: readExitCode(dir) ?? null,
    };
  });
  const children = (await childrenOf(layout, id)).map((child) => ({
    id: child.id,
    state: child.state,
    ...(child.outcome ? { outcome: child.outcome } : {}),
  }));
  if (json) {
    const read = parseTaskText(bytes, id, { size: bytes.length, mtimeMs: 0, ino: 0 });
    return JSON.stringify(
      {
        id,
        state,
        path: relative(layout.root, path),
        fields: read.kind === 'task' ? read.task.fields : null,
        error: error ?? (read.kind === 'invalid' ? read.problems : undefined),
        runs,
        children,
      },
      null,
      2,
    );
  }
  const lines = [`# ${relative(layout.root, path)} (${state})`, '', bytes.toString('utf8').trimEnd()];
  if (error) lines.push('', `# ${relative(layout.root, errorPath)}`, error.trimEnd());
  if (runs.length > 0)
    lines.push('', '# runs', ...runs.map((run) => `${run.attempt}: ${run.dir}  exit ${run.exit_code ?? '-'}`));
  if (children.length > 0)
    lines.push(
      '',
      '# children',
      ...children.map((child) => `${child.id}  ${child.state}${child.outcome ? ` (${child.outcome})` : ''}`),
    );
  return lines.join('\n');
}
