import {
  SlipwayConfigError,
  assertDeployable,
  findPlaceholders,
  isPlaceholderAccount,
  isPlaceholderDomain,
} from '../../src';
import { devLike, prodLike } from '../fixtures/environments';

describe('placeholders', () => {
  test.each(['111111111111', '222222222222', '000000000000', '123456789012'])(
    'GIVEN account %s THEN it is a placeholder',
    (account) => {
      expect(isPlaceholderAccount(account)).toBe(true);
    },
  );

  test('GIVEN a real-looking account THEN it is not a placeholder', () => {
    expect(isPlaceholderAccount('493817265012')).toBe(false);
  });

  test.each(['example.com', 'app.example.org', 'shop.example', 'api.test', 'x.invalid'])(
    'GIVEN domain %s THEN it is a placeholder',
    (domain) => {
      expect(isPlaceholderDomain(domain)).toBe(true);
    },
  );

  test('GIVEN a real-looking domain THEN it is not a placeholder', () => {
    expect(isPlaceholderDomain('shop.acme.io')).toBe(false);
    expect(isPlaceholderDomain('myexample.com')).toBe(false);
  });

  test('GIVEN the prod-like sample WHEN checked for deploy THEN account, domain, zone and email are all named', () => {
    expect(findPlaceholders(prodLike).map((issue) => issue.field)).toEqual([
      'account',
      'https.domainName',
      'https.hostedZoneName',
      'alarms.email',
    ]);
    expect(() => assertDeployable(prodLike)).toThrow(SlipwayConfigError);
    expect(() => assertDeployable(prodLike)).toThrow(
      /^environments\/prod\.ts: account is a placeholder account id; got "222222222222"\. Put the real 12-digit account id/,
    );
  });

  test('GIVEN real values WHEN checked for deploy THEN nothing is refused', () => {
    expect(() => assertDeployable({ ...devLike, account: '493817265012' })).not.toThrow();
  });
});
