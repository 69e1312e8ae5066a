// Reading `ps` output: the rows as ps prints them (procps, macOS and the BSDs print lstart alike in
// the C locale), commands and environments with spaces, zombies, and lines a racing process garbled.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carries, parsePsOutput, psQuery, type PsRow } from '../../src/process/ps-output.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// lstart as ps prints it (ctime(3) in UTC): "Tue Dec  8 02:37:53 2026".
function lstart(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${time} ${d.getUTCFullYear()}`;
}

// A row the way ps right-aligns its numeric columns.
function line(row: PsRow): string {
  const sid = row.sid === undefined ? '' : ` ${String(row.sid).padStart(5)}`;
  return `${String(row.pid).padStart(5)} ${String(row.ppid).padStart(5)} ${String(row.pgid).padStart(5)}${sid} ${row.state.padEnd(4)} ${lstart(row.startSeconds)} ${row.text}`;
}

const withEnvironments = psQuery('linux');
const withSessions = psQuery('sunos');

describe('psQuery', () => {
  it('asks each system for environments its own way, and for sessions where it has none', () => {
    expect(psQuery('linux').args).toEqual(['-A', '-ww', 'e', '-o', 'pid=,ppid=,pgid=,stat=,lstart=,args=']);
    expect(psQuery('darwin').args).toContain('-E');
    expect(psQuery('freebsd').args).toContain('-e');
    expect(psQuery('darwin').environments).toBe(true);
    expect(withSessions).toEqual({
      args: ['-A', '-ww', '-o', 'pid=,ppid=,pgid=,sid=,stat=,lstart=,args='],
      environments: false,
    });
  });
});

describe('parsePsOutput', () => {
  it('reads procps output with environments, zombies and kernel threads', () => {
    const output = [
      '    1     0     0 S<Ll Mon Dec  7 23:29:16 2026 /sbin/init splash',
      '    2     0     0 S    Mon Dec  7 23:29:16 2026 [kthreadd]',
      ' 4242  4100  4242 Ss   Tue Dec  8 02:37:53 2026 /bin/sh -c exec "$@" ORCHESTRATE_RUN_DIR=/my ws/runs/a/1 HOME=/root',
      ' 4300  4242  4242 Z    Tue Dec  8 02:37:54 2026 [sh] <defunct>',
      '',
    ].join('\n');
    const rows = parsePsOutput(output, withEnvironments);
    expect(rows.map((row) => row.pid)).toEqual([1, 2, 4242, 4300]);
    expect(rows[2]).toEqual({
      pid: 4242,
      ppid: 4100,
      pgid: 4242,
      state: 'Ss',
      startSeconds: Date.UTC(2026, 11, 8, 2, 37, 53) / 1000,
      text: '/bin/sh -c exec "$@" ORCHESTRATE_RUN_DIR=/my ws/runs/a/1 HOME=/root',
    });
    expect(rows[3]!.state).toBe('Z');
  });

  it('reads macOS output, where lstart is padded to 28 columns', () => {
    const output = '  501     1   501 Ss   Tue Dec  8 02:37:53 2026     /bin/sh -c x ORCHESTRATE_RUNNER=/ws/runs\n';
    expect(parsePsOutput(output, psQuery('darwin'))).toMatchObject([
      { pid: 501, state: 'Ss', text: '/bin/sh -c x ORCHESTRATE_RUNNER=/ws/runs' },
    ]);
  });

  it('skips lines it cannot read (a header, a process that ended mid-line)', () => {
    const output = '  PID  PPID\n 12 1 12 S Tue Dec  8 02:3\n 13 1 13 S Tue Foo  8 02:37:53 2026 x\n';
    expect(parsePsOutput(output, withEnvironments)).toEqual([]);
  });

  it('reads back any row it is given, with or without sessions', () => {
    const row = (sessions: boolean) =>
      fc.record({
        pid: fc.integer({ min: 1, max: 4_194_304 }),
        ppid: fc.integer({ min: 0, max: 4_194_304 }),
        pgid: fc.integer({ min: 0, max: 4_194_304 }),
        ...(sessions ? { sid: fc.integer({ min: 0, max: 4_194_304 }) } : {}),
        state: fc.stringMatching(/^[DRSTIZ][<Nlsn+L]{0,3}$/),
        startSeconds: fc.integer({ min: 0, max: 4_102_444_800 }),
        text: fc.stringMatching(/^(\S[^\n]*)?$/),
      }) as fc.Arbitrary<PsRow>;
    for (const sessions of [false, true]) {
      fc.assert(
        fc.property(fc.array(row(sessions), { maxLength: 20 }), (rows) => {
          const query = sessions ? withSessions : withEnvironments;
          // What follows lstart and its padding is the text, whole.
          expect(parsePsOutput(rows.map(line).join('\n'), query)).toEqual(rows);
        }),
      );
    }
  });
});

describe('carries', () => {
  const text = '/bin/sh -c x ORCHESTRATE_RUN_DIR=/ws a/runs/t/1 ORCHESTRATE_ROOT=/ws a';
  it('finds a marker whose value holds spaces, as a whole word', () => {
    expect(carries(text, 'ORCHESTRATE_RUN_DIR=/ws a/runs/t/1')).toBe(true);
    expect(carries(text, 'ORCHESTRATE_ROOT=/ws a')).toBe(true);
  });
  it('does not take a longer or a shorter value for the marker', () => {
    expect(carries(text, 'ORCHESTRATE_RUN_DIR=/ws a/runs/t')).toBe(false);
    expect(carries(text, 'ORCHESTRATE_RUN_DIR=/ws a/runs/t/10')).toBe(false);
    expect(carries(`X${text}`, '/bin/sh')).toBe(false);
  });
  it('finds a marker wherever it stands between others', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Z_]+=[^ \n]*$/), { maxLength: 5 }),
        fc.array(fc.stringMatching(/^[A-Z_]+=[^ \n]*$/), { maxLength: 5 }),
        (before, after) =>
          carries([...before, 'ORCHESTRATE_RUN_DIR=/w/1', ...after].join(' '), 'ORCHESTRATE_RUN_DIR=/w/1'),
      ),
    );
  });
});
