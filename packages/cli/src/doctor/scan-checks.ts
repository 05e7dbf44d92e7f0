import {
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  RegistryScanningRule,
  ScanFrequency,
} from '@aws-sdk/client-ecr';
import type { DoctorCheck } from './checks';
import { DoctorTarget } from './doctor-target';
import { explainAwsError } from '../aws-error';

/** The id and title of the scanning check. */
export const IMAGE_SCANNING_CHECK = ['image-scanning', 'ECR image scanning'] as const;

/** Frequencies that scan an image when it is pushed (continuous scanning does too, and again as CVEs appear). */
const ON_PUSH: ReadonlySet<string> = new Set<string>([ScanFrequency.SCAN_ON_PUSH, ScanFrequency.CONTINUOUS_SCAN]);

/**
 * The repository the pipeline and `cdk deploy` push the app's images to: the CDK bootstrap stack's
 * `ContainerAssetsRepository`, named by its template's default (a bootstrap with `--container-assets-repository-name`
 * uses another name, which the detail then says it did not look for).
 */
export function containerAssetsRepository(target: DoctorTarget): string {
  return `cdk-${target.bootstrapQualifier}-container-assets-${target.config.account}-${target.config.region}`;
}

/**
 * The registry scans each image the pipeline pushes (ECR basic scanning, or Amazon Inspector's enhanced scanning):
 * a registry-level rule, on push or continuous, whose filter matches the bootstrap repository. The bootstrap template
 * sets no scanning, and the repository-level `scanOnPush` is deprecated in favour of the registry's configuration,
 * which is what this reads. An unscanned image still deploys, so the check fails only to say that nobody will hear
 * of a known vulnerability in it; the fix keeps every rule the registry already has.
 */
export async function checkImageScanning(target: DoctorTarget, ecr: ECRClient): Promise<DoctorCheck> {
  const [id, title] = IMAGE_SCANNING_CHECK;
  const repository = containerAssetsRepository(target);
  const { account, region } = target.config;
  let scanType: string;
  let rules: RegistryScanningRule[];
  try {
    const response = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
    scanType = response.scanningConfiguration?.scanType ?? 'BASIC';
    rules = response.scanningConfiguration?.rules ?? [];
  } catch (error) {
    return { id, title, status: 'fail', detail: explainAwsError(error, 'ecr:GetRegistryScanningConfiguration') };
  }
  for (const rule of rules) {
    if (!ON_PUSH.has(rule.scanFrequency ?? '')) continue;
    const filter = (rule.repositoryFilters ?? []).find((candidate) =>
      wildcardMatches(candidate.filter ?? '', repository),
    );
    if (filter) {
      return {
        id,
        title,
        status: 'pass',
        detail: `${scanType} scanning, ${rule.scanFrequency}, covers ${repository} (filter "${filter.filter}")`,
      };
    }
  }
  const wanted: RegistryScanningRule = {
    scanFrequency: ScanFrequency.SCAN_ON_PUSH,
    repositoryFilters: [{ filter: `cdk-${target.bootstrapQualifier}-container-assets-*`, filterType: 'WILDCARD' }],
  };
  // PutRegistryScanningConfiguration replaces the whole configuration: the fix repeats the rules already there.
  const merged = [...rules.map(plainRule), plainRule(wanted)];
  return {
    id,
    title,
    status: 'fail',
    detail:
      `no ${scanType} scanning rule on push scans ${repository} in account ${account}, ${region}` +
      (rules.length === 0
        ? ' (the registry has no scanning rules)'
        : ` (its ${rules.length} rule(s) do not match it)`) +
      ': the images the pipeline pushes are never checked for known vulnerabilities',
    fix:
      `Scan them on push (account-wide setting; this keeps the registry's ${rules.length} existing rule(s)): ` +
      `aws ecr put-registry-scanning-configuration --region ${region} --scan-type ${scanType} --rules '${JSON.stringify(merged)}'. ` +
      'Basic scanning is free; ENHANCED (Amazon Inspector) also rescans as new CVEs appear, at a price per image.',
  };
}

/** ECR's WILDCARD filter: `*` stands for any run of characters, everything else matches itself. */
export function wildcardMatches(filter: string, name: string): boolean {
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/** A rule as the CLI's `--rules` JSON takes it. */
function plainRule(rule: RegistryScanningRule) {
  return {
    scanFrequency: rule.scanFrequency,
    repositoryFilters: (rule.repositoryFilters ?? []).map((filter) => ({
      filter: filter.filter,
      filterType: filter.filterType,
    })),
  };
}
