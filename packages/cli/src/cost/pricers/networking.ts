import { addAssumedLine, addHourlyLine, gigabytes, ResourcePricer, ResourcePricers } from './pricer';
import { interfaceEndpointName, literalString } from '../../assembly/template-values';

const priceNatGateway: ResourcePricer = (context, id, resource) => {
  addHourlyLine(context, id, resource, {
    item: 'NAT gateway',
    detail: '1 gateway',
    priceId: 'vpc.nat-gateway.hour',
  });
  addAssumedLine(context, id, resource, {
    item: 'NAT gateway data processed',
    detail: gigabytes,
    priceId: 'vpc.nat-gateway.gb',
    assumption: 'natGatewayGbPerMonth',
  });
};

const priceElasticIp: ResourcePricer = (context, id, resource) => {
  addHourlyLine(context, id, resource, {
    item: 'Public IPv4 address (Elastic IP)',
    detail: '1 address',
    priceId: 'vpc.public-ipv4.hour',
  });
};

const priceVpcEndpoint: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  const type = literalString(properties.VpcEndpointType) ?? 'Gateway';
  if (type === 'Gateway') {
    context.addFree(resource, 'gateway endpoints (S3, DynamoDB) are free');
    return;
  }
  if (type !== 'Interface') {
    context.addNotPriced(id, resource, `${type} endpoints are not in the price table`);
    return;
  }
  const subnets = Array.isArray(properties.SubnetIds) ? properties.SubnetIds.length : undefined;
  if (subnets === undefined) {
    context.addNotPriced(id, resource, 'its subnets are not a literal list, so the AZ count is unknown');
    return;
  }
  addHourlyLine(context, id, resource, {
    item: `Interface endpoint ${interfaceEndpointName(properties.ServiceName, 'service')}`,
    detail: `${subnets} AZs`,
    priceId: 'vpc.interface-endpoint.az-hour',
    count: subnets,
  });
};

/** VPC: NAT gateways, Elastic IPs and interface endpoints. */
export const NETWORKING_PRICERS: ResourcePricers = {
  'AWS::EC2::NatGateway': priceNatGateway,
  'AWS::EC2::EIP': priceElasticIp,
  'AWS::EC2::VPCEndpoint': priceVpcEndpoint,
};
