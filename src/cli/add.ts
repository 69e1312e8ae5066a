import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { caseTwinProblem, idCandidates, idProblem, MAX_ID_LENGTH, SLUG_LENGTH, slugify } from '../core/ids.js';
import { priorityLevel } from '../core/priority.js';
import { renderTaskText } from '../core/task-text.js';
import { STATE_FOLDERS } from '../core/state-folders.js';
import { leavesAsText, LOCK_INSIDE } from '../core/workspace-path.js';
import { isRefName } from '../core/git-refs.js';
import { linkFileSync } from '../queue/atomic-write.js';
import { CaseTwins } from '../queue/case-twins.js';
import type { Layout } from '../queue/layout.js';
import { orchestrateCommand } from './support/command-hint.js';
import { CliError } from './support/errors.js';
import { unreadableFile } from './support/read-error.js';

export interface AddOptions {
  agent?: string;
  priority?: string;
  timeout?: string;
  id?: string;
  file?: string;
  maxRetries?: string;
  command?: string;
  dependsOn?: string;
  after?: string;
  whenFailed?: string;
  parent?: string;
  role?: string;
  locks?: string;
  workspace?: string;
  base?: string;
  merge?: string;
}

const list = (text: string) => text.split(',').map((item) => item.trim());

// The fields of a new task, in the order a person reads them; the text comes from the one renderer.
function taskFields(description: string, options: AddOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = { description };
  if (options.command) fields.command = options.command;
  if (options.agent) fields.agent = options.agent;
  if (options.priority) fields.priority = options.priority;
  if (options.timeout) fields.timeout = options.timeout;
  if (options.maxRetries !== undefined) fields.max_retries = Number(options.maxRetries);
  if (options.dependsOn) fields.depends_on = list(options.dependsOn);
  if (options.after) fields.after = list(options.after);
  if (options.whenFailed) fields.when = { failed: options.whenFailed.trim() };
  if (options.parent) fields.parent = options.parent;
  if (options.role) fields.role = options.role;
  if (options.locks) fields.locks = list(options.locks);
  if (options.workspace) fields.workspace = options.workspace;
  if (options.base) fields.base = options.base;
  if (options.merge) fields.merge = options.merge;
  fields.created_at = new Date().toISOString();
  return fields;
}

function checkOptions(layout: Layout, options: AddOptions): void {
  if (options.priority !== undefined && priorityLevel(options.priority) === undefined)
    throw new CliError(`--priority: "${options.priority}" is not a priority (use high, normal or low)`, 2);
  if (options.timeout !== undefined && parseDuration(options.timeout) === undefined)
    throw new CliError(`--timeout: "${options.timeout}" is not a duration (use e.g. 30m, 1h, 90s)`, 2);
  if (options.maxRetries !== undefined && !/^\d+$/.test(options.maxRetries))
    throw new CliError('--max-retries: must be a whole number, 0 or more', 2);
  if (options.id !== undefined) {
    const problem = idProblem(options.id);
    if (problem) throw new CliError(`--id: ${problem}`, 2);
  }
  for (const [flag, ids] of [
    ['--depends-on', options.dependsOn],
    ['--after', options.after],
    ['--when-failed', options.whenFailed],
  ] as const) {
    const bad = ids === undefined ? undefined : list(ids).find((id) => idProblem(id) !== undefined);
    if (bad !== undefined)
      throw new CliError(
        `${flag}: "${bad}" is not a task id (letters, digits, ".", "_", "-"; several ids separated by commas)`,
        2,
      );
  }
  if (options.workspace !== undefined && !['shared', 'worktree'].includes(options.workspace))
    throw new CliError(`--workspace: "${options.workspace}" is not a workspace (use shared or worktree)`, 2);
  if (options.merge !== undefined && !['auto', 'manual'].includes(options.merge))
    throw new CliError(`--merge: "${options.merge}" is not a merge mode (use auto or manual)`, 2);
  if (options.base !== undefined && !isRefName(options.base))
    throw new CliError(
      `--base: "${options.base}" is not a branch, tag or commit (letters, digits, ".", "_", "-", "/")`,
      2,
    );
  if (options.locks !== undefined && list(options.locks).includes(''))
    throw new CliError('--locks: paths or globs separated by commas, none empty', 2);
  const outside = options.locks === undefined ? undefined : list(options.locks).find((lock) => leavesAsText(lock));
  if (outside !== undefined) throw new CliError(`--locks: "${outside}" ${LOCK_INSIDE}`, 2);
  if (options.whenFailed?.includes(',')) throw new CliError('--when-failed: takes one task id', 2);
  if (
    options.parent !== undefined &&
    (idProblem(options.parent) !== undefined || !usedAnywhere(layout, options.parent))
  ) {
    throw new CliError(
      `--parent: no task "${options.parent}" in tasks/ (the parent is a task's id, e.g. "$ORCHESTRATE_TASK_ID")`,
      2,
    );
  }
}

function usedAnywhere(layout: Layout, id: string): boolean {
  return STATE_FOLDERS.some((state) => existsSync(layout.taskPath(state, id)));
}

// Writes the task into pending/ whole, under an id no task has (in any case): never overwrites,
// never shows half a file.
function publish(layout: Layout, id: string, bytes: Buffer, twins: CaseTwins): boolean {
  return (
    !usedAnywhere(layout, id) && twins.twinsOf(id).length === 0 && linkFileSync(layout.taskPath('pending', id), bytes)
  );
}

// A submitted file gets `parent:` appended (its own bytes kept): the child records who made it.
function withParent(
  file: string,
  raw: Buffer,
  current: string | undefined,
  parent: string,
  parse: typeof import('../queue/task-file.js').parseTaskText,
): Buffer {
  if (current === parent) return raw;
  if (current !== undefined)
    throw new CliError(`${file}: has \`parent: ${current}\`, not "${parent}" (remove one of the two)`, 2);
  const bytes = Buffer.concat([
    raw,
    Buffer.from(`${raw.length === 0 || raw[raw.length - 1] === 10 ? '' : '\n'}${renderTaskText({ parent })}`),
  ]);
  if (parse(bytes, 'x', { size: bytes.length, mtimeMs: 0, ino: 0 }).kind !== 'task')
    throw new CliError(`${file}: cannot append \`parent: ${parent}\` to it (add that line yourself)`);
  return bytes;
}

// `orchestrate add`: writes a task into pending/ and returns its id. An explicit id must be new;
// a generated one (from the description) gets -2, -3, ... until it is.
export async function addTask(layout: Layout, description: string | undefined, options: AddOptions): Promise<string> {
  checkOptions(layout, options);
  let bytes: Buffer;
  let stem: string;
  if (options.file) {
    let raw: Buffer;
    try {
      raw = readFileSync(options.file);
    } catch (error) {
      throw new CliError(unreadableFile(options.file, error));
    }
    stem = options.id ?? basename(options.file).replace(/\.ya?ml$/, '');
    const { parseTaskText } = await import('../queue/task-file.js');
    const read = parseTaskText(raw, idProblem(stem) ? 'x' : stem, { size: raw.length, mtimeMs: 0, ino: 0 });
    if (read.kind !== 'task') {
      const { formatProblem } = await import('../core/problems.js');
      const { planData } = await import('../queue/plan-source.js');
      const plan = planData(raw);
      const parent = options.parent === undefined ? [] : ['--parent', options.parent];
      if (plan && 'data' in plan)
        throw new CliError(
          `${options.file}: is a plan (it has a top-level \`tasks:\` list); submit it with \`${orchestrateCommand(layout, 'plan', ...parent, options.file)}\``,
        );
      throw new CliError(
        (read.kind === 'invalid' ? read.problems : [])
          .map((problem) => formatProblem(options.file!, problem))
          .join('\n'),
      );
    }
    if (idProblem(stem)) stem = slugify(stem);
    bytes =
      options.parent === undefined
        ? raw
        : withParent(options.file, raw, read.task.fields.parent, options.parent, parseTaskText);
  } else {
    if (!description || description.trim() === '')
      throw new CliError('a description is required: orchestrate add "what the agent should do"', 2);
    stem = options.id ?? slugify(description);
    bytes = Buffer.from(renderTaskText(taskFields(description, options)));
  }
  if (!existsSync(layout.folder('pending')))
    throw new CliError(
      `${layout.folder('pending')} does not exist; run \`${orchestrateCommand(layout, 'init')}\` first`,
    );
  const twins = new CaseTwins(layout);
  if (options.id !== undefined) {
    if (publish(layout, stem, bytes, twins)) return stem;
    const twin = twins.twinsOf(stem)[0];
    throw new CliError(
      twin
        ? `${caseTwinProblem(stem, `tasks/${twin.state}/${twin.id}.yaml`)}; choose another --id`
        : `the id "${stem}" is already used (see \`${orchestrateCommand(layout, 'show', stem)}\`); choose another --id`,
    );
  }
  const candidates = idCandidates(stem, options.file ? MAX_ID_LENGTH : SLUG_LENGTH);
  for (;;) {
    const id = candidates.next().value;
    if (publish(layout, id, bytes, twins)) return id;
  }
}
