import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addTask, type AddOptions } from '../../src/cli/add.js';
import { parsePlainYaml } from '../../src/core/plain-yaml.js';
import { isRefName } from '../../src/core/git-refs.js';
import { parseYaml, readTaskFile } from '../../src/queue/task-file.js';
import { cli, makeWorkspace, type Workspace } from '../helpers/workspace.js';

// Any UTF-16 string: controls, DEL, C1, U+2028/2029, the BOM, lone surrogates, leading and trailing
// spaces, line breaks, as well as whole code points and words YAML reads as something else.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const yamlLookalikes = [
  '1e3',
  '0x10',
  '.inf',
  'yes',
  'No',
  'on',
  'null',
  '~',
  '- x',
  '#x',
  '!x',
  '&x',
  ': x',
  '007',
  '1_000',
  '12:30',
  'a: b',
  'a #b',
  '"q"',
  "'q'",
  '[a]',
  '{a: 1}',
  '|',
  '>',
];
const anyText = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom(...'ab :#-"\'\\\n\t\r \u0085\u00a0\u2028\u2029\ufeff\ud800\udc00'.split('')),
    maxLength: 15,
  }),
  fc.constantFrom(...yamlLookalikes, 'a\nb\n', ' a\n\nb', 'two\nlines'),
);
const nonBlank = anyText.filter((text) => text.trim() !== '');
// add splits lists at commas and trims each item.
const listItem = anyText.map((text) => text.replaceAll(',', '').trim()).filter((text) => text !== '');
const id = fc.oneof(
  fc.constantFrom('1e3', '0x10', 'yes', 'No', 'on', 'y', 'null', 'true', '007', '1_000', '12', 'a.b', 'x-1'),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/),
);
const ids = fc.array(id, { minLength: 1, maxLength: 3 });

const input = fc.record(
  {
    description: nonBlank,
    command: anyText.filter((text) => text !== ''),
    agent: anyText.filter((text) => text !== ''),
    role: anyText.filter((text) => text !== ''),
    priority: fc.constantFrom('high', 'low', '0', '1', '2'),
    timeout: fc.constantFrom('30m', '90', '1h30m'),
    depends_on: ids,
    after: ids,
    when_failed: id,
    locks: fc.array(listItem, { minLength: 1, maxLength: 3 }),
    base: fc.oneof(
      fc.constantFrom('on', 'yes', '1e3', '0x10', 'null', '007', 'release/1.2'),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,12}$/).filter(isRefName),
    ),
  },
  { requiredKeys: ['description'] },
);

let ws: Workspace | undefined;
afterEach(() => {
  ws?.cleanup();
  ws = undefined;
});

describe('orchestrate add writes any text so that it reads back as written', () => {
  const shared = makeWorkspace();
  afterAll(() => shared.cleanup());
  let n = 0;

  it('for every string field, as the daemon reads the file (fast reader and yaml library alike)', async () => {
    await fc.assert(
      fc.asyncProperty(input, async (fields) => {
        const options: AddOptions = {
          id: `t${n++}`,
          ...(fields.command === undefined ? {} : { command: fields.command }),
          ...(fields.agent === undefined ? {} : { agent: fields.agent }),
          ...(fields.role === undefined ? {} : { role: fields.role }),
          ...(fields.priority === undefined ? {} : { priority: fields.priority }),
          ...(fields.timeout === undefined ? {} : { timeout: fields.timeout }),
          ...(fields.depends_on === undefined ? {} : { dependsOn: fields.depends_on.join(', ') }),
          ...(fields.after === undefined ? {} : { after: fields.after.join(',') }),
          ...(fields.when_failed === undefined ? {} : { whenFailed: fields.when_failed }),
          ...(fields.locks === undefined ? {} : { locks: fields.locks.join(' , ') }),
          ...(fields.base === undefined ? {} : { base: fields.base }),
        };
        const added = await addTask(shared.layout, fields.description, options);
        const read = readTaskFile(shared.layout.taskPath('pending', added), added);
        if (read.kind !== 'task') throw new Error(`invalid: ${JSON.stringify(read)}`);
        const { when_failed: whenFailed, ...rest } = fields;
        const expected = {
          ...rest,
          ...(whenFailed === undefined ? {} : { when: { failed: whenFailed } }),
          created_at: expect.any(String),
        };
        expect((parseYaml(read.text) as { data: unknown }).data).toEqual(expected);
        // The schema trims the prompt; the file holds it as written.
        expect(read.task.fields.description).toBe(fields.description.trim());
        // The fast reader takes every file add writes, and reads it as the yaml library does.
        expect(parsePlainYaml(read.text)?.data).toEqual(parse(read.text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('orchestrate add, through the built CLI', () => {
  const shownFields = (root: string, added: string) =>
    JSON.parse(cli(root, ['show', added, '--json']).stdout) as { fields: Record<string, unknown> | null };

  it('keeps each description YAML would misread as written, and the task valid', () => {
    ws = makeWorkspace();
    for (const text of [
      '1e3',
      '0x10',
      '.inf',
      'yes',
      'null',
      '~',
      '- x',
      '#x',
      '!x',
      '&x',
      ': x',
      'a: b # c',
      ' padded ',
      'two\nlines',
      'tab\there',
      'bell\u0007 del\u007f nel\u0085 ls\u2028 bom\ufeff',
    ]) {
      // As typed by a person, without `--`: a word that starts with a dash is still text.
      const result = cli(ws.root, ['add', text]);
      expect(result.code, result.stderr).toBe(0);
      const added = result.stdout.trim();
      const read = readTaskFile(ws.layout.taskPath('pending', added), added);
      expect(read.kind === 'task' && read.task.fields.description, text).toBe(text.trim());
      expect(parse(readFileSync(ws.layout.taskPath('pending', added), 'utf8')).description, text).toBe(text);
    }
  });

  it('refuses a word that can only be meant as an option, naming the option it resembles and the way to mean it as text', () => {
    ws = makeWorkspace();
    expect(cli(ws.root, ['add', '--agnet', 'shell', 'hi'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "orchestrate: orchestrate add has no option '--agnet' (did you mean --agent?); if it is part of the description, put it after --: orchestrate add -- --agnet shell hi\n",
    });
    const literal = cli(ws.root, ['add', '--', '-q', 'is text here']);
    expect(literal.code, literal.stderr).toBe(0);
    expect(shownFields(ws.root, literal.stdout.trim()).fields).toMatchObject({ description: '-q is text here' });
  });

  it('writes ids that look like numbers or booleans as ids, in every field that names tasks', () => {
    ws = makeWorkspace();
    for (const taken of ['1e3', '0x10', 'yes', 'null'])
      expect(cli(ws.root, ['add', '--id', taken, `the task ${taken}`]).code).toBe(0);
    const result = cli(ws.root, [
      'add',
      '--depends-on',
      '1e3, 0x10',
      '--after',
      'yes',
      '--when-failed',
      'null',
      '--parent',
      '1e3',
      '--base',
      'on',
      '--locks',
      'no,007',
      'uses them',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(shownFields(ws.root, result.stdout.trim()).fields).toMatchObject({
      depends_on: ['1e3', '0x10'],
      after: ['yes'],
      when: { failed: 'null' },
      parent: '1e3',
      base: 'on',
      locks: ['no', '007'],
    });
    // A base the task file would refuse is refused at once.
    expect(cli(ws.root, ['add', '--base', 'my branch', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--base: "my branch" is not a branch'),
    });
  });
});
