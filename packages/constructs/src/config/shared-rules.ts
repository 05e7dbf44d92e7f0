import type { EnvironmentConfig, ServiceConfig } from './environment-config';
import { ConfigIssue } from './slipway-config-error';

/** A cross-field rule that checks each service of the environment, its problems in the services' order. */
export const perService =
  (check: (name: string, service: ServiceConfig, config: EnvironmentConfig) => ConfigIssue[]) =>
  (config: EnvironmentConfig): ConfigIssue[] =>
    Object.entries(config.services).flatMap(([name, service]) => check(name, service, config));

/**
 * A name that becomes a DNS label (an environment or a service: `backend` → `backend.dev.local`): lowercase
 * letters, digits and hyphens, starting with a letter and not ending with a hyphen, at most 32 characters.
 */
export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** What an API Gateway HTTP API stage accepts as default throttling (account defaults: 10000 per second, bursts of 5000). */
export const HTTP_API_THROTTLE_LIMITS = {
  rateLimit: { min: 1, max: 10000 },
  burstLimit: { min: 1, max: 5000 },
} as const;

/**
 * Problems with an HTTP API throttle, each `field` relative to the throttle (`rateLimit`, `burstLimit`): the
 * environment settings and `HttpApiIngress` check the same limits with the same words.
 */
export function httpApiThrottleIssues(throttle: {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}): ConfigIssue[] {
  const { rateLimit, burstLimit } = HTTP_API_THROTTLE_LIMITS;
  const issues: ConfigIssue[] = [];
  if (
    throttle.rateLimit !== undefined &&
    !(throttle.rateLimit >= rateLimit.min && throttle.rateLimit <= rateLimit.max)
  ) {
    issues.push({
      field: 'rateLimit',
      value: throttle.rateLimit,
      problem: `must be between ${rateLimit.min} and ${rateLimit.max} requests per second`,
      fix: `API Gateway's account default is ${rateLimit.max}; ask AWS for more before raising it. A dev API rarely needs more than 50.`,
    });
  }
  if (throttle.burstLimit !== undefined && !Number.isInteger(throttle.burstLimit)) {
    issues.push({
      field: 'burstLimit',
      value: throttle.burstLimit,
      problem: 'must be a whole number',
      fix: 'Use e.g. twice the rateLimit.',
    });
  } else if (
    throttle.burstLimit !== undefined &&
    !(throttle.burstLimit >= burstLimit.min && throttle.burstLimit <= burstLimit.max)
  ) {
    issues.push({
      field: 'burstLimit',
      value: throttle.burstLimit,
      problem: `must be a whole number between ${burstLimit.min} and ${burstLimit.max}`,
      fix: `Use e.g. twice the rateLimit; API Gateway's account default burst is ${burstLimit.max}.`,
    });
  }
  return issues;
}

/** The region of an ARN (`arn:partition:service:region:account:resource`). */
export function arnRegion(arn: string): string {
  return arn.split(':')[3];
}

/** The account of an ARN (`arn:partition:service:region:account:resource`). */
export function arnAccount(arn: string): string {
  return arn.split(':')[4];
}

/**
 * The problem with an ARN setting that names a resource outside the environment's region, if it does: `what` is the
 * resource ("a certificate"), `fix` says why it must be there and what to do.
 */
export function arnOutsideRegionIssue(
  field: string,
  arn: string,
  environment: { readonly region: string },
  what: string,
  fix: string,
): ConfigIssue | undefined {
  if (arnRegion(arn) === environment.region) return undefined;
  return { field, value: arn, problem: `must be ${what} in the environment's region (${environment.region})`, fix };
}

/** The problem with an ARN setting that names a resource of another account than the environment's, if it does. */
export function arnOutsideAccountIssue(
  field: string,
  arn: string,
  environment: { readonly account: string },
  what: string,
  fix: string,
): ConfigIssue | undefined {
  if (arnAccount(arn) === environment.account) return undefined;
  return { field, value: arn, problem: `must be ${what} of the environment's account (${environment.account})`, fix };
}
