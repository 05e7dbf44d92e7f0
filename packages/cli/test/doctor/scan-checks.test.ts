import { ECRClient, GetRegistryScanningConfigurationCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { devLike } from '../../../constructs/test/fixtures/environments';
import { DoctorTarget } from '../../src/doctor/doctor-target';
import { checkImageScanning, containerAssetsRepository, wildcardMatches } from '../../src/doctor/scan-checks';

const ecrMock = mockClient(ECRClient);
beforeEach(() => ecrMock.reset());

const ACCOUNT = '493817265012';
const REPOSITORY = `cdk-hnb659fds-container-assets-${ACCOUNT}-eu-west-1`;

function target(qualifier = 'hnb659fds'): DoctorTarget {
  return {
    config: { ...devLike, account: ACCOUNT },
    configFile: 'environments/dev.ts',
    stackNames: ['shop-dev'],
    bootstrapQualifier: qualifier,
  };
}

const ecr = () => new ECRClient({ region: 'eu-west-1' });

function givenRules(scanType: 'BASIC' | 'ENHANCED', rules: { scanFrequency: string; filters: string[] }[]) {
  ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
    registryId: ACCOUNT,
    scanningConfiguration: {
      scanType,
      rules: rules.map((rule) => ({
        scanFrequency: rule.scanFrequency as 'SCAN_ON_PUSH',
        repositoryFilters: rule.filters.map((filter) => ({ filter, filterType: 'WILDCARD' as const })),
      })),
    },
  });
}

describe('checkImageScanning', () => {
  test('GIVEN the default qualifier THEN it looks for the bootstrap repository by its template name', () => {
    expect(containerAssetsRepository(target())).toBe(REPOSITORY);
    expect(containerAssetsRepository(target('shop'))).toBe(`cdk-shop-container-assets-${ACCOUNT}-eu-west-1`);
  });

  test.each([
    ['BASIC', 'SCAN_ON_PUSH', '*'],
    ['BASIC', 'SCAN_ON_PUSH', 'cdk-*-container-assets-*'],
    ['ENHANCED', 'CONTINUOUS_SCAN', 'cdk-hnb659fds-*'],
    ['ENHANCED', 'SCAN_ON_PUSH', REPOSITORY],
  ] as const)(
    'GIVEN %s scanning %s with filter %s THEN it passes, naming the rule',
    async (type, frequency, filter) => {
      givenRules(type, [{ scanFrequency: frequency, filters: ['other-*', filter] }]);
      const check = await checkImageScanning(target(), ecr());
      expect(check).toEqual({
        id: 'image-scanning',
        title: 'ECR image scanning',
        status: 'pass',
        detail: `${type} scanning, ${frequency}, covers ${REPOSITORY} (filter "${filter}")`,
      });
    },
  );

  test('GIVEN a registry without rules (the default) THEN it fails with the command that turns basic scanning on', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
      registryId: ACCOUNT,
      scanningConfiguration: { scanType: 'BASIC', rules: [] },
    });
    const check = await checkImageScanning(target(), ecr());
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      `no BASIC scanning rule on push scans ${REPOSITORY} in account ${ACCOUNT}, eu-west-1 (the registry has no scanning rules): ` +
        'the images the pipeline pushes are never checked for known vulnerabilities',
    );
    expect(check.fix).toContain(
      `aws ecr put-registry-scanning-configuration --region eu-west-1 --scan-type BASIC --rules '[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"cdk-hnb659fds-container-assets-*","filterType":"WILDCARD"}]}]'`,
    );
  });

  test('GIVEN a rule scanning on push that misses the repository THEN the fix adds the filter to it, keeping the other rules', async () => {
    givenRules('ENHANCED', [
      { scanFrequency: 'CONTINUOUS_SCAN', filters: ['payments-*'] },
      { scanFrequency: 'SCAN_ON_PUSH', filters: ['orders-*'] },
    ]);
    const check = await checkImageScanning(target(), ecr());
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('(its 2 rule(s) do not match it)');
    // PutRegistryScanningConfiguration replaces the whole configuration and takes two rules at most.
    const rules = JSON.parse(/--rules '(.*)'\./.exec(check.fix!)![1]);
    expect(rules).toEqual([
      {
        scanFrequency: 'CONTINUOUS_SCAN',
        repositoryFilters: [
          { filter: 'payments-*', filterType: 'WILDCARD' },
          { filter: 'cdk-hnb659fds-container-assets-*', filterType: 'WILDCARD' },
        ],
      },
      { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'orders-*', filterType: 'WILDCARD' }] },
    ]);
    expect(check.fix).toContain('--scan-type ENHANCED');
  });

  test('GIVEN one rule that does not scan on push THEN the fix adds a SCAN_ON_PUSH rule beside it', async () => {
    givenRules('BASIC', [{ scanFrequency: 'MANUAL', filters: ['*'] }]);
    const check = await checkImageScanning(target(), ecr());
    const rules = JSON.parse(/--rules '(.*)'\./.exec(check.fix!)![1]);
    expect(rules).toEqual([
      { scanFrequency: 'MANUAL', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
      {
        scanFrequency: 'SCAN_ON_PUSH',
        repositoryFilters: [{ filter: 'cdk-hnb659fds-container-assets-*', filterType: 'WILDCARD' }],
      },
    ]);
  });

  test('GIVEN two rules, neither on push THEN the fix prints no command ECR would refuse, and says what to change', async () => {
    givenRules('BASIC', [
      { scanFrequency: 'MANUAL', filters: ['a-*'] },
      { scanFrequency: 'MANUAL', filters: ['b-*'] },
    ]);
    const check = await checkImageScanning(target(), ecr());
    expect(check.status).toBe('fail');
    expect(check.fix).not.toContain('put-registry-scanning-configuration');
    expect(check.fix).toContain('2 scanning rules, the most ECR takes, and neither scans on push');
  });

  test('GIVEN the credentials may not read the configuration THEN it fails naming the permission', async () => {
    ecrMock
      .on(GetRegistryScanningConfigurationCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));
    const check = await checkImageScanning(target(), ecr());
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/access denied to ecr:GetRegistryScanningConfiguration/);
  });
});

test('wildcardMatches: * is any run of characters, and a filter without one matches names that contain it', () => {
  expect(wildcardMatches('cdk-*-assets-*', 'cdk-x-assets-1-eu')).toBe(true);
  expect(wildcardMatches('cdk-*', 'xcdk-a')).toBe(false);
  expect(wildcardMatches('a.b*', 'axb')).toBe(false);
  expect(wildcardMatches('*', '')).toBe(true);
  // ECR's own examples: a filter with no wildcard matches every repository name that contains it.
  expect(wildcardMatches('container-assets', REPOSITORY)).toBe(true);
  expect(wildcardMatches('prod', 'myapp-prod-web')).toBe(true);
  expect(wildcardMatches('prod', 'myapp-dev')).toBe(false);
});
