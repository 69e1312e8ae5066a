import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planGate, plansDir, publishPlan, type PlanFiles } from '../../src/queue/plan-staging.js';
import { idsIn, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

const files = (ids: string[]): PlanFiles => ({
  name: 'p',
  tasks: ids.map((id) => ({ id, fields: { description: id } })),
  record: { bytes: Buffer.from('tasks: []\n') },
});

describe('publishPlan', () => {
  it('links every task into pending/ and the plan into tasks/plans/, leaving no staging behind', () => {
    ws = makeWorkspace();
    const published = publishPlan(ws.layout, files(['p.a', 'p.b']));
    expect(published).toEqual({ kind: 'published', ids: ['p.a', 'p.b'], record: join(plansDir(ws.layout), 'p.yaml') });
    expect(idsIn(ws.root, 'pending')).toEqual(['p.a', 'p.b']);
    expect(readdirSync(plansDir(ws.layout))).toEqual(['p.yaml']);
    // A plan of the same name later never overwrites the record of the first.
    expect(publishPlan(ws.layout, files(['p.c']))).toMatchObject({
      kind: 'published',
      record: join(plansDir(ws.layout), 'p-2.yaml'),
    });
  });

  it('rolls everything back when an id turns out to be taken half way', () => {
    ws = makeWorkspace();
    writeFileSync(ws.layout.taskPath('pending', 'p.b'), 'description: someone else\n');
    expect(publishPlan(ws.layout, files(['p.a', 'p.b', 'p.c']))).toEqual({ kind: 'taken', id: 'p.b' });
    expect(idsIn(ws.root, 'pending')).toEqual(['p.b']);
    expect(readFileSync(ws.layout.taskPath('pending', 'p.b'), 'utf8')).toBe('description: someone else\n');
    expect(readdirSync(plansDir(ws.layout))).toEqual([]);
  });
});

describe('planGate', () => {
  const stage = (owner: number) => {
    const dir = join(plansDir(ws.layout), '.p.staging');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'owner'), `${owner}\n`);
    return dir;
  };

  it('holds back the tasks of a plan while a live process publishes it', async () => {
    ws = makeWorkspace();
    const publisher = spawn('sleep', ['30']);
    try {
      stage(publisher.pid!);
      expect(planGate(ws.layout, 'p.a', Date.now())).toBe('wait');
      expect(planGate(ws.layout, 'other.a', Date.now())).toBe('open');
      expect(planGate(ws.layout, 'plain', Date.now())).toBe('open');
      expect(publishPlan(ws.layout, files(['p.a']))).toEqual({ kind: 'busy', pid: publisher.pid });
    } finally {
      publisher.kill();
    }
  });

  it('rolls back the publication of a publisher that died, then lets the id through', () => {
    ws = makeWorkspace();
    const dir = stage(spawnSync('true').pid!);
    writeFileSync(join(dir, 'p.a.yaml'), 'description: a\n');
    writeFileSync(ws.layout.taskPath('pending', 'p.a'), 'description: not from the plan\n');
    expect(planGate(ws.layout, 'p.a', Date.now())).toBe('open');
    expect(existsSync(dir)).toBe(false);
    // Only what the publication itself linked is removed.
    expect(idsIn(ws.root, 'pending')).toEqual(['p.a']);
  });
});
