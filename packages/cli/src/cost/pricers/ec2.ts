import { addAssumedLine, addHourlyLine, gigabytes, ResourcePricer, ResourcePricers, same } from './pricer';
import { literalNumber, literalString, referencedId } from '../../assembly/template-values';
import type { StackPricingContext } from '../stack-pricing-context';

function instanceHasOwnPublicIp(context: StackPricingContext, id: string, properties: Record<string, any>): boolean {
  const elasticIp = Object.values(context.resources).some(
    (candidate) =>
      (candidate.Type === 'AWS::EC2::EIP' || candidate.Type === 'AWS::EC2::EIPAssociation') &&
      referencedId(candidate.Properties?.InstanceId) === id,
  );
  if (elasticIp) return false;
  if (Array.isArray(properties.NetworkInterfaces)) {
    return properties.NetworkInterfaces.some(
      (networkInterface: any) => networkInterface?.AssociatePublicIpAddress === true,
    );
  }
  const subnet = context.resource(referencedId(properties.SubnetId));
  return subnet?.Properties?.MapPublicIpOnLaunch === true;
}

const priceInstance: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  const instanceType = literalString(properties.InstanceType);
  const role = properties.SourceDestCheck === false ? 'NAT instance' : 'EC2 instance';
  if (instanceType === undefined || !context.hasPrice(`ec2.${instanceType}.hour`)) {
    context.addNotPriced(
      id,
      resource,
      instanceType === undefined
        ? 'its instance type is not a literal value'
        : `instance type ${instanceType} is not in the price table; add "ec2.${instanceType}.hour" to prices.ts`,
    );
  } else {
    addHourlyLine(context, id, resource, {
      item: `${role} ${instanceType}`,
      detail: '1 instance, on-demand',
      priceId: `ec2.${instanceType}.hour`,
    });
  }
  const mappings = Array.isArray(properties.BlockDeviceMappings)
    ? properties.BlockDeviceMappings.filter((mapping: any) => mapping?.Ebs)
    : [];
  if (mappings.length === 0) {
    addAssumedLine(context, id, resource, {
      item: 'EBS root volume gp3',
      detail: gigabytes,
      priceId: 'ebs.gp3.gb-month',
      assumption: 'instanceRootVolumeGb',
    });
  }
  for (const mapping of mappings) {
    const gb = literalNumber(mapping.Ebs.VolumeSize);
    const volumeType = literalString(mapping.Ebs.VolumeType) ?? 'gp2';
    if (gb === undefined || (volumeType !== 'gp3' && volumeType !== 'gp2')) {
      context.addNotPriced(
        id,
        resource,
        `EBS volume ${literalString(mapping.DeviceName) ?? ''} (${volumeType}) has no literal size or an unpriced volume type`,
      );
      continue;
    }
    context.addLine(id, resource, {
      item: `EBS volume ${volumeType}`,
      detail: `${gb} GB`,
      priceId: `ebs.${volumeType}.gb-month`,
      quantity: same(gb),
    });
  }
  if (instanceHasOwnPublicIp(context, id, properties)) {
    addHourlyLine(context, id, resource, {
      item: `Public IPv4 address of the ${role}`,
      detail: '1 address',
      priceId: 'vpc.public-ipv4.hour',
    });
  }
};

/** EC2: instances (NAT instances among them) with their EBS volumes and public addresses. */
export const EC2_PRICERS: ResourcePricers = {
  'AWS::EC2::Instance': priceInstance,
};
