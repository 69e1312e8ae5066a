import { describe, expect, it } from 'vitest';
import { idProblem, isIgnoredName, slugify, taskIdOf } from '../../src/core/ids.js';

describe('task ids', () => {
  it('takes the id from a .yaml file name', () => {
    expect(taskIdOf('fix-login.yaml')).toBe('fix-login');
    expect(taskIdOf('notes.txt')).toBeUndefined();
  });

  it.each(['.x.yaml', 'x.yaml.tmp', 'x.yaml~', '.x.yaml.swp', 'x.swp'])('never reads %s (the Maildir rule)', (name) => {
    expect(isIgnoredName(name)).toBe(true);
    expect(taskIdOf(name)).toBeUndefined();
  });

  it.each(['a', 'A1', 'db-schema', 'plan.step_2', '9lives'])('accepts %s', (id) => expect(idProblem(id)).toBeUndefined());
  it.each(['-bad', '_x', 'a b', 'ü', 'a/b', ''])('refuses %j with a fix', (id) => expect(idProblem(id)).toMatch(/id/));
  it('refuses very long ids', () => expect(idProblem('a'.repeat(201))).toMatch(/longer/));

  it('slugs a description into a readable id', () => {
    expect(slugify('Fix the login bug!')).toBe('fix-the-login-bug');
    expect(slugify('!!!')).toBe('task');
    expect(slugify('x'.repeat(100)).length).toBeLessThanOrEqual(40);
  });
});
