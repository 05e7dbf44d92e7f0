import {
  SlipwayConfigError,
  assertDeployable,
  findPlaceholders,
  isPlaceholderAccount,
  isPlaceholderAmi,
  isPlaceholderDomain,
} from '../../src/config';
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

  test('GIVEN the all-zero AMI id THEN it is a placeholder, and a real-looking one is not', () => {
    expect(isPlaceholderAmi('ami-00000000000000000')).toBe(true);
    expect(isPlaceholderAmi('ami-00000000')).toBe(true);
    expect(isPlaceholderAmi('ami-0a1b2c3d4e5f67890')).toBe(false);
  });

  test('GIVEN a NAT instance on the placeholder AMI WHEN checked for deploy THEN it is refused with the command that prints the real id', () => {
    const config = {
      ...devLike,
      account: '493817265012',
      network: { ...devLike.network, natInstance: { amiId: 'ami-00000000000000000' } },
    };
    expect(() => assertDeployable(config)).toThrow(
      /^environments\/dev\.ts: network\.natInstance\.amiId is a placeholder AMI id; got "ami-00000000000000000"\. Put the Amazon Linux 2023 arm64 AMI id of eu-west-1 here before deploying; print it with `aws ssm get-parameter --name \/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-arm64 --region eu-west-1 --query Parameter\.Value --output text`\.$/,
    );
  });

  test('GIVEN real values WHEN checked for deploy THEN nothing is refused', () => {
    expect(() => assertDeployable({ ...devLike, account: '493817265012' })).not.toThrow();
  });
});
