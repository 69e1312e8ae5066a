import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPrompt } from '../../src/context/prompt.js';
import { validateTask } from '../../src/core/task-schema.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const taskOf = (fields: Record<string, unknown>) => {
  const validation = validateTask('t1', fields);
  if (!validation.ok) throw new Error('invalid task');
  return validation.task;
};

describe('buildPrompt', () => {
  it('opens with a heading (a CLI never reads a leading "-" as an option), then context, then what to report', () => {
    root = mkdtempSync(join(tmpdir(), 'prompt-'));
    writeFileSync(join(root, 'overview.md'), 'We build a CLI.\n');
    const prompt = buildPrompt(root, taskOf({ description: '- fix the login bug', context_files: ['missing.md'] }), [
      'overview.md',
    ]);
    expect(prompt.startsWith('## Task\n\n- fix the login bug\n')).toBe(true);
    expect(prompt).toContain('### overview.md\n\nWe build a CLI.\n');
    expect(prompt).toContain('### missing.md\n(missing)\n');
    expect(prompt).toMatch(/## When you finish\n\nEnd with a short summary/);
  });

  it('never inlines a file whose symlinks lead outside the workspace, whoever named it', () => {
    root = mkdtempSync(join(tmpdir(), 'prompt-'));
    mkdirSync(join(root, 'context/agent_outputs'), { recursive: true });
    symlinkSync('/', join(root, 'link'));
    symlinkSync('/etc/passwd', join(root, 'context/agent_outputs/spec.md'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs/api.md'), 'The API.\n');
    symlinkSync('docs', join(root, 'alias'));
    symlinkSync(join(root, 'context/agent_outputs/spec.md'), join(root, 'shared.md'));
    const prompt = buildPrompt(
      root,
      taskOf({ description: 'x', context_files: ['link/etc/passwd', 'alias/api.md'], depends_on: ['spec'] }),
      ['shared.md'],
    );
    expect(prompt).not.toContain(readFileSync('/etc/passwd', 'utf8').split('\n')[0]);
    for (const file of ['link/etc/passwd', 'shared.md', 'context/agent_outputs/spec.md'])
      expect(prompt).toContain(`### ${file}\n(not inlined: it leads outside the workspace through a symlink)\n`);
    expect(prompt).toContain('### alias/api.md\n\nThe API.\n');
  });

  it('includes the answers of the tasks it depends on', () => {
    root = mkdtempSync(join(tmpdir(), 'prompt-'));
    mkdirSync(join(root, 'context/agent_outputs'), { recursive: true });
    writeFileSync(join(root, 'context/agent_outputs/spec.md'), 'The API has two endpoints.\n');
    const prompt = buildPrompt(root, taskOf({ description: 'build it', depends_on: ['spec'] }), []);
    expect(prompt).toContain(
      '## Results of the tasks this one depends on\n\n### context/agent_outputs/spec.md\n\nThe API has two endpoints.\n',
    );
  });

  it('gives a when-failed task the answers of what it waited for and the failed task file', () => {
    root = mkdtempSync(join(tmpdir(), 'prompt-'));
    mkdirSync(join(root, 'context/agent_outputs'), { recursive: true });
    mkdirSync(join(root, 'tasks/failed'), { recursive: true });
    writeFileSync(join(root, 'context/agent_outputs/build.md'), 'Built.\n');
    writeFileSync(
      join(root, 'tasks/failed/tests.yaml'),
      'description: run the tests\nresult:\n  outcome: failed\n  error: "exit 1: 3 tests failed"\n',
    );
    const prompt = buildPrompt(
      root,
      taskOf({ description: 'fix the tests', after: ['build'], when: { failed: 'tests' } }),
      [],
    );
    expect(prompt).toContain('### context/agent_outputs/build.md\n\nBuilt.\n');
    expect(prompt).toContain(
      '## tests failed; this task runs because of that\n\nIts task file, with each attempt and the error:\n\n### tasks/failed/tests.yaml\n\ndescription: run the tests\nresult:\n  outcome: failed\n  error: "exit 1: 3 tests failed"\n',
    );
  });

  it('tells an agent in a worktree where it works and what happens to its changes', () => {
    root = mkdtempSync(join(tmpdir(), 'prompt-'));
    const shared = buildPrompt(root, taskOf({ description: 'fix it' }), []);
    expect(shared).not.toContain('## Where you work');
    const isolated = buildPrompt(root, taskOf({ description: 'fix it' }), [], {
      branch: 'orchestrate/t1',
      merge: 'manual',
    });
    expect(isolated).toMatch(
      /^## Task\n\nfix it\n\n## Where you work\n\nYou work in a git worktree of your own, on branch orchestrate\/t1: stay inside the current folder\./,
    );
    expect(isolated).toContain('left there for a person to review and merge');
  });
});
