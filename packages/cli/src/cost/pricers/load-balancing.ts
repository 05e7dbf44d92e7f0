import { addHourlyLine, ResourcePricer, ResourcePricers, same } from './pricer';
import { literalString } from '../../assembly/template-values';

const priceLoadBalancer: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  const type = literalString(properties.Type) ?? 'application';
  if (type === 'application' || type === 'network') {
    const alb = type === 'application';
    addHourlyLine(context, id, resource, {
      item: alb ? 'Application Load Balancer' : 'Network Load Balancer',
      detail: '1 load balancer',
      priceId: alb ? 'elb.alb.hour' : 'elb.nlb.hour',
    });
    const capacityUnits = context.assume(alb ? 'albAverageLcu' : 'nlbAverageNlcu');
    context.addLine(id, resource, {
      item: alb ? 'ALB capacity units (LCU)' : 'NLB capacity units (NLCU)',
      detail: `${capacityUnits} on average`,
      priceId: alb ? 'elb.alb.lcu-hour' : 'elb.nlb.nlcu-hour',
      quantity: same(capacityUnits * context.assume('hoursPerMonth')),
      assumptions: ['hoursPerMonth', alb ? 'albAverageLcu' : 'nlbAverageNlcu'],
    });
  } else {
    context.addNotPriced(id, resource, `${type} load balancers are not in the price table`);
    return;
  }
  const internetFacing = (literalString(properties.Scheme) ?? 'internet-facing') === 'internet-facing';
  if (!internetFacing || properties.IpAddressType === 'dualstack-without-public-ipv4') return;
  const subnets = Array.isArray(properties.Subnets)
    ? properties.Subnets
    : Array.isArray(properties.SubnetMappings)
      ? properties.SubnetMappings
      : undefined;
  if (!subnets) {
    context.addNotPriced(
      id,
      resource,
      'public IPv4 addresses: its subnets are not a literal list, so the AZ count is unknown',
    );
    return;
  }
  addHourlyLine(context, id, resource, {
    item: 'Public IPv4 addresses of the load balancer',
    detail: `1 per AZ × ${subnets.length} AZs`,
    priceId: 'vpc.public-ipv4.hour',
    count: subnets.length,
  });
};

/** Elastic Load Balancing: ALBs and NLBs, with their capacity units and public addresses. */
export const LOAD_BALANCING_PRICERS: ResourcePricers = {
  'AWS::ElasticLoadBalancingV2::LoadBalancer': priceLoadBalancer,
};
