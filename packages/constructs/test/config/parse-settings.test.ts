import { z } from 'zod';
import { CheckedAgainst, SlipwayConfigError, parseSettings } from '../../src/config';
import { rule, typeRule } from '../../src/config/parse-settings';

const schema = z.strictObject({
  branch: z
    .string(typeRule('string', 'Use e.g. "main".'))
    .regex(/^\S+$/, rule('must be a branch name', 'Use e.g. "main".')),
  retries: z.number().int().optional(),
});
const SOURCE = { file: 'environments/index.ts', typeName: 'Settings', fieldPrefix: 'pipeline' };

describe('parseSettings', () => {
  test('GIVEN valid settings THEN it returns the typed output', () => {
    expect(parseSettings(schema, { branch: 'main' }, SOURCE)).toEqual({ branch: 'main' });
  });

  test('GIVEN every kind of problem THEN one error lists each as "file: field must ...; got .... Fix."', () => {
    let error: unknown;
    try {
      parseSettings(schema, { branch: 'my branch', retries: 1.5, brnach: 'x' }, SOURCE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SlipwayConfigError);
    expect((error as SlipwayConfigError).message.split('\n').sort()).toEqual([
      'environments/index.ts: pipeline.branch must be a branch name; got "my branch". Use e.g. "main".',
      'environments/index.ts: pipeline.brnach is not a known setting; got "x". Remove it or correct its spelling (see Settings in @slipway/constructs).',
      'environments/index.ts: pipeline.retries must be a whole number; got 1.5. Set it to a whole number.',
    ]);
  });

  test('GIVEN a missing or mistyped value THEN typeRule tells "is required" from "must be a string"', () => {
    expect(() => parseSettings(schema, {}, SOURCE)).toThrow(
      'pipeline.branch is required; got nothing. Use e.g. "main".',
    );
    expect(() => parseSettings(schema, { branch: 1 }, SOURCE)).toThrow('pipeline.branch must be a string; got 1.');
  });

  test('GIVEN a type that drifts from its schema THEN CheckedAgainst is never, so assigning a parse result fails to compile', () => {
    const matching: CheckedAgainst<{ readonly branch: string; readonly retries?: number }, typeof schema> =
      parseSettings(schema, { branch: 'main' }, SOURCE);
    // @ts-expect-error retries is a number in the schema, a string here: the checked type is `never`
    const drifted: CheckedAgainst<{ readonly branch: string; readonly retries?: string }, typeof schema> =
      parseSettings(schema, { branch: 'main' }, SOURCE);
    expect([matching, drifted]).toHaveLength(2);
  });
});
