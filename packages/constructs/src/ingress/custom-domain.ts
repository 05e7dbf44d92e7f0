import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { SlipwayConfigError } from '../config/slipway-config-error';

/** A custom domain for an ingress: the name, and where its certificate and DNS come from. */
export interface CustomDomainProps {
  /**
   * The site's domain, e.g. `app.example.com`. Required with `certificate` or `hostedZone`.
   * @default - no custom domain
   */
  readonly domainName?: string;
  /**
   * An issued ACM certificate for `domainName`, in the stack's region (`acm.Certificate.fromCertificateArn(...)`).
   * @default - a DNS-validated certificate in `hostedZone`, when given
   */
  readonly certificate?: acm.ICertificate;
  /**
   * The Route 53 zone holding `domainName`: validates the certificate (when none is given) and gets an alias record.
   * @default - no DNS records: pointing the domain at the ingress is up to you
   */
  readonly hostedZone?: route53.IHostedZone;
}

/**
 * The certificate of an ingress's custom domain: the one given, or one issued for `domainName` and validated by
 * DNS in `hostedZone` (construct id `Certificate` in `scope`). Undefined without a domain.
 *
 * @throws SlipwayConfigError when a certificate or zone comes without a domain, or a domain without either
 */
export function customDomainCertificate(scope: Construct, props: CustomDomainProps): acm.ICertificate | undefined {
  const { domainName, certificate, hostedZone } = props;
  if (!domainName) {
    if (certificate || hostedZone) {
      throw SlipwayConfigError.of(scope.node.path, {
        field: 'domainName',
        value: domainName,
        problem: 'is required with a certificate or hostedZone',
        fix: "Set the site's domain, e.g. 'app.example.com'.",
      });
    }
    return undefined;
  }
  if (certificate) return certificate;
  if (!hostedZone) {
    throw SlipwayConfigError.of(scope.node.path, {
      field: 'domainName',
      value: domainName,
      problem: 'needs a certificate or a hostedZone to issue one in',
      fix: 'Pass certificate (acm.Certificate.fromCertificateArn) or hostedZone (route53.HostedZone.fromHostedZoneAttributes).',
    });
  }
  return new acm.Certificate(scope, 'Certificate', {
    domainName,
    validation: acm.CertificateValidation.fromDns(hostedZone),
  });
}
