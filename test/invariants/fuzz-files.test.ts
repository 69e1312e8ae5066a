// Invariants 1, 3 and 6 under a flood of generated task files: binary, garbage, wrong types, deep
// nesting, alias bombs, thousands of keys, indicator runs, byte-order marks, NUL bytes, CRLF,
// duplicate keys, tabs, and valid tasks among them. Every file ends in exactly one folder with its bytes kept, the daemon keeps running,
// and no problem is logged twice.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FAST_DAEMON,
  idsIn,
  makeWorkspace,
  waitFor,
  type DaemonProcess,
  type Workspace,
} from '../helpers/workspace.js';
import { foldersOf, startDaemon, tearDown } from '../helpers/faults.js';

let workspace: Workspace | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

const FILES = 2000;
const CONFIG = `max_concurrent: 8\nagents:\n  ok: { command: ["true"], max_instances: 8 }\n  bad: { command: ["false"], max_instances: 8 }\ndefaults: { agent: ok, max_retries: 0 }\n${FAST_DAEMON}`;

const word = fc.stringMatching(/^[a-z][a-z ]{0,20}$/);
const field = fc.constantFrom(
  'description',
  'priority',
  'agent',
  'timeout',
  'max_retries',
  'role',
  'command',
  'created_at',
  'descriptoin',
);
const scalar = fc.oneof(
  word,
  fc.integer().map(String),
  fc.constantFrom(
    'high',
    'low',
    'ok',
    'bad',
    'ghost',
    '30m',
    'yes',
    '~',
    '[]',
    '{}',
    '"unterminated',
    "'x'",
    '1e3',
    '- x',
    '&a x',
    '*a',
    '!!binary x',
  ),
);
const validTask = fc
  .record({
    description: word,
    priority: fc.constantFrom('', 'priority: high\n', 'priority: 2\n'),
    agent: fc.constantFrom('', 'agent: ok\n', 'agent: bad\n'),
  })
  .map((t) => `description: ${t.description}x\n${t.priority}${t.agent}`);
const mapping = fc
  .array(fc.tuple(field, scalar), { minLength: 1, maxLength: 6 })
  .map((pairs) => pairs.map(([key, value]) => `${key}: ${value}\n`).join(''));
const aliasBomb = fc.integer({ min: 4, max: 9 }).map((levels) => {
  const lines = ['description: boom', 'l0: &l0 [x, x, x, x, x, x, x, x, x]'];
  for (let n = 1; n <= levels; n++)
    lines.push(
      `l${n}: &l${n} [${Array(9)
        .fill(`*l${n - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
});
const deepNesting = fc
  .integer({ min: 1000, max: 60_000 })
  .chain((depth) =>
    fc.constantFrom(
      `description: deep\nv: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
      `description: deep\n${Array.from({ length: Math.min(depth, 3000) }, (_, n) => `${' '.repeat(n)}k${n}:`).join('\n')} x\n`,
    ),
  );

// Shapes the yaml library is slow on: a mapping of thousands of keys (its own unique-keys check is
// quadratic), and indicators in a row on one line.
const manyKeys = fc
  .integer({ min: 2000, max: 40_000 })
  .map((keys) => `description: wide\n${Array.from({ length: keys }, (_, n) => `k${n}: x`).join('\n')}\n`);
const indicatorRun = fc
  .tuple(fc.constantFrom('? ', '- ', '!t ', '&a '), fc.integer({ min: 100, max: 20_000 }))
  .map(([indicator, count]) => `description: run\nv: ${indicator.repeat(count)}x\n`);

// One generated file's bytes, from one of the kinds above (valid tasks included).
const fileBytes: fc.Arbitrary<Buffer> = fc.oneof(
  validTask.map((text) => Buffer.from(text)),
  validTask.map((text) => Buffer.from(text.replace(/\n/g, '\r\n'))),
  validTask.map((text) => Buffer.from(`\ufeff${text}`)),
  validTask.map((text) => Buffer.from(text.replace(/^description/, 'description: a\ndescription'))),
  validTask.map((text) => Buffer.from(text.replace(/\n(\w)/g, '\n\t$1'))),
  fc
    .tuple(validTask, fc.nat())
    .map(([text, at]) => Buffer.from(`${text.slice(0, at % text.length)}\0${text.slice(at % text.length)}`)),
  mapping.map((text) => Buffer.from(text)),
  aliasBomb.map((text) => Buffer.from(text)),
  deepNesting.map((text) => Buffer.from(text)),
  manyKeys.map((text) => Buffer.from(text)),
  indicatorRun.map((text) => Buffer.from(text)),
  fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text)),
);

// The bytes a person wrote are kept: as they were (set aside) or with the daemon's part below them.
function keptIn(final: Buffer, original: Buffer): boolean {
  if (final.equals(original)) return true;
  const head =
    original.length === 0 || original[original.length - 1] === 0x0a
      ? original
      : Buffer.concat([original, Buffer.from('\n')]);
  return final.subarray(0, head.length).equals(head);
}

describe('generated task files', () => {
  it(`every one of ${FILES} generated files ends in one folder with its bytes kept; nothing is logged twice`, {
    timeout: 300_000,
  }, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    workspace = makeWorkspace(CONFIG);
    const { root } = workspace;
    daemon = await startDaemon(root);
    const files = fc.sample(fileBytes, { numRuns: FILES, seed });
    const ids = files.map((_, n) => `fuzz-${String(n).padStart(4, '0')}`);
    files.forEach((bytes, n) => {
      const temp = join(root, 'tasks/pending', `.${ids[n]}.tmp`);
      writeFileSync(temp, bytes);
      renameSync(temp, join(root, 'tasks/pending', `${ids[n]}.yaml`));
    });
    await waitFor(
      'every file to leave pending/ and assigned/',
      () => idsIn(root, 'pending').length + idsIn(root, 'assigned').length === 0,
      240_000,
      200,
    );
    expect(daemon.child.exitCode, `seed ${seed}`).toBeNull();

    for (const [n, id] of ids.entries()) {
      const folders = foldersOf(root, id);
      expect(folders, `${id} (seed ${seed})`).toHaveLength(1);
      const final = readFileSync(join(root, 'tasks', folders[0]!, `${id}.yaml`));
      expect(keptIn(final, files[n]!), `${id} bytes kept (seed ${seed})`).toBe(true);
    }
    const messages = daemon
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    const counts = new Map<string, number>();
    for (const message of messages) counts.set(message, (counts.get(message) ?? 0) + 1);
    const repeated = [...counts].filter(([message, count]) => count > 1 && message.includes('fuzz-'));
    expect(repeated, `seed ${seed}`).toEqual([]);
  });
});
