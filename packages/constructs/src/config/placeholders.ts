import { EnvironmentConfig, isHostedZoneHttps } from './environment-config';
import { natAmiCommand } from './environment-rules';
import { ConfigIssue, SlipwayConfigError } from './slipway-config-error';

/**
 * Whether an account id is an obvious placeholder: one digit repeated
 * (`111111111111`), the documentation example `123456789012`, or all zeros.
 * Generated sample environments use these so synth and tests work without an
 * AWS account; deploying to them must be refused.
 */
export function isPlaceholderAccount(account: string): boolean {
  return /^(\d)\1{11}$/.test(account) || account === '123456789012';
}

/** Whether a domain is reserved for documentation or testing (RFC 2606/6761): example.com/.net/.org, .example, .test, .invalid, .localhost. */
export function isPlaceholderDomain(domain: string): boolean {
  const name = domain.toLowerCase().replace(/\.$/, '');
  return /(^|\.)example\.(com|net|org)$/.test(name) || /\.(example|test|invalid|localhost)$/.test(name);
}

/** Whether an AMI id is an obvious placeholder: all zeros (`ami-00000000000000000`), which no image has. */
export function isPlaceholderAmi(amiId: string): boolean {
  return /^ami-0+$/.test(amiId);
}

/** Every placeholder value in an environment that would make a deploy meaningless or fail. */
export function findPlaceholders(config: EnvironmentConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (isPlaceholderAccount(config.account)) {
    issues.push({
      field: 'account',
      value: config.account,
      problem: 'is a placeholder account id',
      fix: 'Put the real 12-digit account id (from `aws sts get-caller-identity`) in this file before deploying.',
    });
  }
  const natAmi = config.network.natInstance?.amiId;
  if (natAmi !== undefined && isPlaceholderAmi(natAmi)) {
    issues.push({
      field: 'network.natInstance.amiId',
      value: natAmi,
      problem: 'is a placeholder AMI id',
      fix: `Put the Amazon Linux 2023 arm64 AMI id of ${config.region} here before deploying; print it with ${natAmiCommand(config.region)}.`,
    });
  }
  const https = config.https;
  if (https?.domainName && isPlaceholderDomain(https.domainName)) {
    issues.push({
      field: 'https.domainName',
      value: https.domainName,
      problem: 'is a placeholder domain',
      fix: "Use a domain you own, or remove https to deploy on the load balancer's own HTTP name (or the HTTP API's own HTTPS name).",
    });
  }
  if (https && isHostedZoneHttps(https) && /EXAMPLE/i.test(https.hostedZoneId)) {
    issues.push({
      field: 'https.hostedZoneId',
      value: https.hostedZoneId,
      problem: 'is a placeholder hosted zone id',
      fix: "Use the id of the domain's Route 53 hosted zone (`aws route53 list-hosted-zones-by-name --dns-name <zone>`).",
    });
  }
  if (https && isHostedZoneHttps(https) && isPlaceholderDomain(https.hostedZoneName)) {
    issues.push({
      field: 'https.hostedZoneName',
      value: https.hostedZoneName,
      problem: 'is a placeholder hosted zone',
      fix: 'Use the Route 53 hosted zone you own (`aws route53 list-hosted-zones`).',
    });
  }
  if (config.alarms?.email && isPlaceholderDomain(config.alarms.email.split('@')[1] ?? '')) {
    issues.push({
      field: 'alarms.email',
      value: config.alarms.email,
      problem: 'is a placeholder address; nobody would receive the alarms',
      fix: 'Use the on-call address of your team.',
    });
  }
  return issues;
}

/**
 * Refuse to deploy an environment that still holds placeholder values. Synth
 * and tests do not call this; the deploy path does.
 *
 * @throws SlipwayConfigError naming each placeholder and what to replace it with
 */
export function assertDeployable(config: EnvironmentConfig, file?: string): void {
  const issues = findPlaceholders(config);
  if (issues.length > 0) throw new SlipwayConfigError(file ?? `environments/${config.name}.ts`, issues);
}
