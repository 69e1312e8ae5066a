// The daemon's log: rotated by size (a flood of problems cannot fill the disk), and its errors
// reach `orchestrate status` with their time, without anyone reading .orchestrate/daemon.log.
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/logger.js';
import { cli, makeWorkspace, waitFor, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
afterEach(() => {
  if (ws) cli(ws.root, ['stop']);
  ws?.cleanup();
  ws = undefined;
});

describe('the daemon log', () => {
  it('is copied to <log>.1 and emptied once it reaches its size; no line is split', () => {
    ws = makeWorkspace();
    const path = join(ws.root, '.orchestrate/test.log');
    writeFileSync(path, '');
    const logger = createLogger({
      pretty: false,
      destination: { write: (text: string) => appendFileSync(path, text) } as NodeJS.WritableStream,
      rotation: { path, maxBytes: 100_000 },
    });
    for (let n = 0; n < 5000; n++) logger.info({ n }, `line ${n} ${'x'.repeat(60)}`);
    const current = readFileSync(path, 'utf8');
    const previous = readFileSync(`${path}.1`, 'utf8');
    // The log never grows far past its size: it is looked at every 64 KB of writes.
    expect(statSync(path).size).toBeLessThan(100_000 + 70_000);
    expect(statSync(`${path}.1`).size).toBeGreaterThanOrEqual(100_000);
    for (const text of [current, previous])
      for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(current).toContain('"msg":"line 4999');
    // The newest line of the copy is followed by the oldest of the current log.
    const last = (JSON.parse(previous.trimEnd().split('\n').at(-1)!) as { n: number }).n;
    expect((JSON.parse(current.split('\n')[0]!) as { n: number }).n).toBe(last + 1);
  });

  it('is rotated by a daemon started on a full log, before it adds to it', () => {
    ws = makeWorkspace();
    const log = join(ws.root, '.orchestrate/daemon.log');
    writeFileSync(log, `${'{"level":30,"msg":"an old line"}\n'.repeat(400_000)}`);
    const old = statSync(log).size;
    expect(cli(ws.root, ['start']).code).toBe(0);
    expect(statSync(`${log}.1`).size).toBe(old);
    expect(statSync(log).size).toBeLessThan(10_000);
    expect(readFileSync(log, 'utf8')).toContain('daemon started');
  });

  it('says which process table the daemon asks, as ORCHESTRATE_PROCESS_TABLE forces it', async () => {
    ws = makeWorkspace();
    const log = join(ws.root, '.orchestrate/daemon.log');
    const tables: [string, string][] = [
      [
        'posix',
        'process table: posix (ps, with environments; lsof for files open for writing), because ORCHESTRATE_PROCESS_TABLE=posix',
      ],
      ['linux', 'process table: linux (/proc), because ORCHESTRATE_PROCESS_TABLE=linux'],
    ];
    for (const [forced, line] of tables) {
      expect(cli(ws.root, ['start'], { env: { ORCHESTRATE_PROCESS_TABLE: forced } }).code).toBe(0);
      // What this daemon logged: the log since its start line.
      await waitFor(`the daemon to log its ${forced} table`, () => {
        const text = readFileSync(log, 'utf8');
        return text.slice(text.lastIndexOf('daemon started')).includes(line);
      });
      expect(cli(ws.root, ['stop']).code).toBe(0);
    }
  });
});

describe('errors in status', () => {
  it("shows the latest errors the daemon logged, with their time, and a new daemon's trail starts empty", async () => {
    ws = makeWorkspace();
    const { root } = ws;
    expect(cli(root, ['start']).code).toBe(0);
    expect(cli(root, ['status']).stdout).not.toContain('errors the daemon logged');
    const config = join(root, 'orchestrator.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('max_concurrent: 4', 'max_concurrent: four'));
    const status = await waitFor('status to show the error', () => {
      const out = cli(root, ['status']).stdout;
      return out.includes('keeping the last good configuration') ? out : false;
    });
    // The time of day, with the date before it when the error is not from today (past midnight).
    expect(status).toMatch(
      /errors the daemon logged \(the latest 2; more in \.orchestrate\/daemon\.log\):\n {2}(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d {2}orchestrator\.yaml: max_concurrent: .*\n {2}(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d {2}keeping the last good configuration/,
    );
    const errors = (
      JSON.parse(cli(root, ['status', '--json']).stdout) as { errors: { time: string; message: string }[] }
    ).errors;
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringContaining('max_concurrent'),
      'keeping the last good configuration',
    ]);
    expect(errors[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // Without a daemon, status shows what the last one logged; a new daemon starts a new trail.
    cli(root, ['stop']);
    expect(cli(root, ['status']).stdout).toContain('errors the last daemon logged');
    writeFileSync(config, readFileSync(config, 'utf8').replace('max_concurrent: four', 'max_concurrent: 4'));
    expect(cli(root, ['start']).code).toBe(0);
    expect(existsSync(join(root, '.orchestrate/errors.json'))).toBe(false);
    expect(cli(root, ['status']).stdout).not.toContain('errors the');
  });
});
