import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { idCandidates, idProblem, isIgnoredName, slugify, taskIdOf } from '../../src/core/ids.js';

describe('task ids', () => {
  it('takes the id from a .yaml file name', () => {
    expect(taskIdOf('fix-login.yaml')).toBe('fix-login');
    expect(taskIdOf('notes.txt')).toBeUndefined();
  });

  it.each(['.x.yaml', 'x.yaml.tmp', 'x.yaml~', '.x.yaml.swp', 'x.swp'])('never reads %s (the Maildir rule)', (name) => {
    expect(isIgnoredName(name)).toBe(true);
    expect(taskIdOf(name)).toBeUndefined();
  });

  it.each(['a', 'A1', 'db-schema', 'plan.step_2', '9lives'])('accepts %s', (id) =>
    expect(idProblem(id)).toBeUndefined(),
  );
  it.each(['-bad', '_x', 'a b', 'ü', 'a/b', ''])('refuses %j with a fix', (id) => expect(idProblem(id)).toMatch(/id/));
  it('refuses very long ids', () => expect(idProblem('a'.repeat(201))).toMatch(/longer/));

  it('slugs a description into a readable id', () => {
    expect(slugify('Fix the login bug!')).toBe('fix-the-login-bug');
    expect(slugify('!!!')).toBe('task');
    expect(slugify('x'.repeat(100)).length).toBeLessThanOrEqual(40);
    expect(slugify('Résumé café crème')).toBe('resume-cafe-creme');
    expect(slugify('Straße über Ærø, Łódź')).toBe('strasse-uber-aero-lodz');
  });

  it('cuts a long description at a word boundary, never in the middle of a word', () => {
    expect(slugify('Implement the JWT login and logout endpoints for the API')).toBe(
      'implement-the-jwt-login-and-logout',
    );
    expect(slugify('Implement the JWT login and logout endpointsXX')).toBe('implement-the-jwt-login-and-logout');
    // A word that ends exactly at 40 characters is kept whole.
    expect(slugify('aaaaaaaaa bbbbbbbbb ccccccccc dddddddddd eeee')).toBe('aaaaaaaaa-bbbbbbbbb-ccccccccc-dddddddddd');
    // A first word longer than 40 characters is cut.
    expect(slugify(`${'x'.repeat(45)} y`)).toBe('x'.repeat(40));
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        const slug = slugify(text);
        expect(slug.length).toBeLessThanOrEqual(40);
        expect(idProblem(slug)).toBeUndefined();
        const whole = slugify(text, Infinity);
        // The uncut slug, or its first words, or (when that is all there is room for) its first word cut.
        expect(slug === whole || whole.startsWith(`${slug}-`) || (!slug.includes('-') && whole.startsWith(slug))).toBe(
          true,
        );
      }),
    );
  });

  it('numbers further candidates within the length limit, cutting the stem at a word boundary', () => {
    const stem = 'implement-the-jwt-login-and-logout-flow';
    const candidates = idCandidates(stem, 40);
    expect([0, 1, 2].map(() => candidates.next().value)).toEqual([
      stem,
      'implement-the-jwt-login-and-logout-2',
      'implement-the-jwt-login-and-logout-3',
    ]);
    const long = idCandidates('a'.repeat(200));
    expect([0, 1].map(() => long.next().value)).toEqual(['a'.repeat(200), `${'a'.repeat(198)}-2`]);
  });
});
