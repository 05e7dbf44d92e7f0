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
  return { id, title, status: 'fail', ...scanningFix(target, repository, scanType, rules) };
}

/** ECR takes at most two rules in a registry's scanning configuration (PutRegistryScanningConfiguration). */
const MAX_RULES = 2;

/**
 * What is wrong and the one `put-registry-scanning-configuration` that mends it. The call replaces the whole
 * configuration, so the command repeats every rule already there: the bootstrap repository's filter joins a rule
 * that scans on push (or continuously), or a new SCAN_ON_PUSH rule is added while there is room for one.
 */
function scanningFix(
  target: DoctorTarget,
  repository: string,
  scanType: string,
  rules: readonly RegistryScanningRule[],
): Pick<DoctorCheck, 'detail' | 'fix'> {
  const { account, region } = target.config;
  const detail =
    `no ${scanType} scanning rule on push scans ${repository} in account ${account}, ${region}` +
    (rules.length === 0 ? ' (the registry has no scanning rules)' : ` (its ${rules.length} rule(s) do not match it)`) +
    ': the images the pipeline pushes are never checked for known vulnerabilities';
  const filter = { filter: `cdk-${target.bootstrapQualifier}-container-assets-*`, filterType: 'WILDCARD' as const };
  const onPush = rules.findIndex((rule) => ON_PUSH.has(rule.scanFrequency ?? ''));
  let merged: ReturnType<typeof plainRule>[];
  if (onPush >= 0) {
    merged = rules.map((rule, index) => {
      const plain = plainRule(rule);
      return index === onPush ? { ...plain, repositoryFilters: [...plain.repositoryFilters, filter] } : plain;
    });
  } else if (rules.length < MAX_RULES) {
    merged = [...rules.map(plainRule), { scanFrequency: ScanFrequency.SCAN_ON_PUSH, repositoryFilters: [filter] }];
  } else {
    return {
      detail,
      fix:
        `The registry has ${MAX_RULES} scanning rules, the most ECR takes, and neither scans on push: add the filter ` +
        `${filter.filter} to the one that should (aws ecr get-registry-scanning-configuration --region ${region}, then put it back with the filter added).`,
    };
  }
  return {
    detail,
    fix:
      `Scan them on push (an account-wide setting; this keeps the registry's ${rules.length} existing rule(s)): ` +
      `aws ecr put-registry-scanning-configuration --region ${region} --scan-type ${scanType} --rules '${JSON.stringify(merged)}'. ` +
      'Basic scanning is free; ENHANCED (Amazon Inspector) also rescans as new CVEs appear, at a price per image.',
  };
}

/**
 * ECR's WILDCARD filter: `*` stands for any run of characters, everything else matches itself; a filter without a
 * `*` matches every name that contains it (ECR user guide, "Filters for scanning").
 */
export function wildcardMatches(filter: string, name: string): boolean {
  if (!filter.includes('*')) return name.includes(filter);
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
