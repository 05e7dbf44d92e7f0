import { flat, ResourcePricers } from './pricer';

/** Route 53 hosted zones, and the Cloud Map DNS namespaces that are hosted zones too. */
export const DNS_PRICERS: ResourcePricers = {
  'AWS::Route53::HostedZone': flat('Route 53 hosted zones', 'route53.hosted-zone', 'hosted zone'),
  'AWS::ServiceDiscovery::PrivateDnsNamespace': flat(
    'Cloud Map namespace (private hosted zone)',
    'route53.hosted-zone',
    'namespace',
  ),
  'AWS::ServiceDiscovery::PublicDnsNamespace': flat(
    'Cloud Map namespace (public hosted zone)',
    'route53.hosted-zone',
    'namespace',
  ),
};
