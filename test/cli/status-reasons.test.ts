// Without a daemon, `status` works out why pending tasks wait from their files. People are shown the
// first 20, so only those (and the tasks they wait for) are read: what they are told must be what
// reading every file says (`status --json`), cycles through tasks further down the list included.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, dropTask, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(() => {
  ws?.cleanup();
  ws = undefined;
});

describe('status without a daemon', () => {
  it('shows the first 20 reasons as reading every file gives them, and counts the rest', () => {
    ws = makeWorkspace();
    const { root } = ws;
    const task = (id: string, extra = '') => dropTask(root, id, `description: ${id}\ncommand: "true"\n${extra}`);
    // A cycle through the first task, whose other members sort after the 20 shown.
    task('a01', 'depends_on: [z-cycle-1]\n');
    task('z-cycle-1', 'depends_on: [z-cycle-2]\n');
    task('z-cycle-2', 'after: [a01]\n');
    task('a02', 'depends_on: [m25]\n');
    task('a03', 'depends_on: [ghost]\n');
    dropTask(root, 'a04', 'description: [unclosed\n');
    task('a05', 'retry_after: 2999-01-01T00:00:00.000Z\n');
    writeFileSync(join(root, 'tasks', 'completed', 'done.yaml'), 'description: done\n');
    task('a06', 'when: { failed: done }\n');
    task('a07', 'after: [done]\n');
    for (let n = 8; n <= 30; n++) task(`m${String(n).padStart(2, '0')}`);

    const all = JSON.parse(cli(root, ['status', '--json']).stdout) as {
      waiting: { source: string; rows: { id: string; text: string }[]; omitted?: number };
    };
    expect(all.waiting.source).toBe('files');
    expect(all.waiting.omitted).toBeUndefined();
    expect(all.waiting.rows).toHaveLength(32);
    expect(all.waiting.rows[0]).toMatchObject({ id: 'a01', text: expect.stringContaining('a01 -> z-cycle-1') });

    const text = cli(root, ['status']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    const table = lines.slice(lines.findIndex((line) => line.startsWith('PENDING')) + 1);
    const shown = all.waiting.rows.slice(0, 20);
    expect(table.slice(0, 20).map((line) => line.replace(/ +/g, ' '))).toEqual(
      shown.map((row) => `${row.id} ${row.text}`.replace(/ +/g, ' ')),
    );
    expect(table[20]).toBe('… and 12 more (`orchestrate status --json` lists them all)');
  });
});
