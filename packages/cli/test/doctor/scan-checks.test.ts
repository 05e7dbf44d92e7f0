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

  test("GIVEN rules that miss the repository, or only scan manually, THEN the fix keeps them: the put replaces the registry's whole configuration", async () => {
    givenRules('ENHANCED', [
      { scanFrequency: 'CONTINUOUS_SCAN', filters: ['payments-*'] },
      { scanFrequency: 'MANUAL', filters: ['*'] },
    ]);
    const check = await checkImageScanning(target(), ecr());
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('(its 2 rule(s) do not match it)');
    const rules = JSON.parse(/--rules '(.*)'\./.exec(check.fix!)![1]);
    expect(rules).toEqual([
      { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'payments-*', filterType: 'WILDCARD' }] },
      { scanFrequency: 'MANUAL', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
      {
        scanFrequency: 'SCAN_ON_PUSH',
        repositoryFilters: [{ filter: 'cdk-hnb659fds-container-assets-*', filterType: 'WILDCARD' }],
      },
    ]);
    expect(check.fix).toContain('--scan-type ENHANCED');
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

test('wildcardMatches: * is any run of characters, and nothing else is special', () => {
  expect(wildcardMatches('cdk-*-assets-*', 'cdk-x-assets-1-eu')).toBe(true);
  expect(wildcardMatches('cdk-*', 'xcdk-a')).toBe(false);
  expect(wildcardMatches('a.b', 'axb')).toBe(false);
  expect(wildcardMatches('*', '')).toBe(true);
});
