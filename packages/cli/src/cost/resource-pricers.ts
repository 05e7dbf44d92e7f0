import type { AssumptionId } from './assumptions';
import type { TemplateResource } from './cloud-assembly';
import type { AtCapacity, StackPricingContext } from './cost-estimate';
import { capacityStrategy, containerInsightsMode, splitTasks, taskCounts, taskLogGroups } from './ecs-service';
import { literalNumber, literalString, referencedId } from './template-values';

/** Prices one resource: adds lines, or reports it (or part of it) as not priced. */
export type ResourcePricer = (context: StackPricingContext, logicalId: string, resource: TemplateResource) => void;

const HOURLY: readonly AssumptionId[] = ['hoursPerMonth'];
const DAYS_PER_MONTH = 365 / 12;

function same(value: number): AtCapacity {
  return { min: value, max: value };
}

function hours(context: StackPricingContext, count = 1): AtCapacity {
  return same(count * context.assume('hoursPerMonth'));
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function formatCount(count: number): string {
  return Number.isInteger(count) ? String(count) : count.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

function range(counts: AtCapacity, noun: string): string {
  return counts.min === counts.max
    ? plural(counts.min, noun)
    : `${formatCount(counts.min)}–${formatCount(counts.max)} ${noun}s`;
}

// ---------------------------------------------------------------- ECS on Fargate

function retentionMonths(
  context: StackPricingContext,
  logGroup: TemplateResource | undefined,
): { months: number; assumed: boolean } {
  const days = literalNumber(logGroup?.Properties?.RetentionInDays);
  if (days === undefined) return { months: context.assume('logRetentionMonthsWhenUnset'), assumed: true };
  return { months: days / DAYS_PER_MONTH, assumed: false };
}

const priceEcsService: ResourcePricer = (context, id, resource) => {
  const service = resource.Properties ?? {};
  const taskDefinition = context.resource(referencedId(service.TaskDefinition));
  if (!taskDefinition || taskDefinition.Type !== 'AWS::ECS::TaskDefinition') {
    context.addNotPriced(id, resource, 'its task definition is not in this stack, so its CPU and memory are unknown');
    return;
  }
  const cpuUnits = literalNumber(taskDefinition.Properties?.Cpu);
  const memoryMiB = literalNumber(taskDefinition.Properties?.Memory);
  if (cpuUnits === undefined || memoryMiB === undefined) {
    context.addNotPriced(id, resource, 'its task definition has no literal task-level Cpu and Memory');
    return;
  }
  const os = literalString(taskDefinition.Properties?.RuntimePlatform?.OperatingSystemFamily);
  if (os !== undefined && os !== 'LINUX') {
    context.addNotPriced(id, resource, `runs ${os} tasks; only Linux Fargate is in the price table`);
    return;
  }
  const strategy = capacityStrategy(context.resources, service);
  if (typeof strategy === 'string') {
    context.addNotPriced(id, resource, strategy);
    return;
  }
  const unknownProvider = strategy.find((share) => share.provider !== 'FARGATE' && share.provider !== 'FARGATE_SPOT');
  if (unknownProvider) {
    context.addNotPriced(
      id,
      resource,
      `uses capacity provider ${unknownProvider.provider}; only FARGATE and FARGATE_SPOT are priced`,
    );
    return;
  }
  const counts = taskCounts(context.resources, id, service);
  if (typeof counts === 'string') {
    context.addNotPriced(id, resource, counts);
    return;
  }

  const vcpu = cpuUnits / 1024;
  const memoryGb = memoryMiB / 1024;
  const arch =
    literalString(taskDefinition.Properties?.RuntimePlatform?.CpuArchitecture) === 'ARM64' ? 'linux-arm' : 'linux-x86';
  const hoursPerMonth = context.assume('hoursPerMonth');
  const spotFactor = 1 - context.assume('fargateSpotDiscount');
  const byProvider = { min: splitTasks(counts.min, strategy), max: splitTasks(counts.max, strategy) };

  for (const provider of ['FARGATE', 'FARGATE_SPOT']) {
    const tasks = { min: byProvider.min[provider] ?? 0, max: byProvider.max[provider] ?? 0 };
    if (tasks.min === 0 && tasks.max === 0) continue;
    const spot = provider === 'FARGATE_SPOT';
    const label = spot ? 'Fargate Spot' : 'Fargate';
    const assumptions: AssumptionId[] = spot ? ['hoursPerMonth', 'fargateSpotDiscount'] : ['hoursPerMonth'];
    // A task is billed for its vCPU and its memory, each per hour.
    for (const [dimension, perTask, unit, priceUnit] of [
      ['vCPU', vcpu, 'vCPU', 'vcpu-hour'],
      ['memory', memoryGb, 'GB', 'gb-hour'],
    ] as const) {
      context.addLine(id, resource, {
        item: `${label} ${dimension}`,
        detail: `${range(tasks, 'task')} × ${formatCount(perTask)} ${unit}`,
        priceId: `fargate.${arch}.${priceUnit}`,
        quantity: { min: tasks.min * perTask * hoursPerMonth, max: tasks.max * perTask * hoursPerMonth },
        factor: spot ? spotFactor : 1,
        assumptions,
      });
    }
  }

  const ephemeralGb = literalNumber(taskDefinition.Properties?.EphemeralStorage?.SizeInGiB);
  if (ephemeralGb !== undefined && ephemeralGb > 20) {
    context.addLine(id, resource, {
      item: 'Fargate ephemeral storage',
      detail: `${range(counts, 'task')} × ${ephemeralGb - 20} GB above 20 GB`,
      priceId: 'fargate.ephemeral-storage.gb-hour',
      quantity: {
        min: counts.min * (ephemeralGb - 20) * hoursPerMonth,
        max: counts.max * (ephemeralGb - 20) * hoursPerMonth,
      },
      assumptions: HOURLY,
    });
  }

  if (service.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp === 'ENABLED') {
    context.addLine(id, resource, {
      item: 'Public IPv4 addresses of tasks',
      detail: `${range(counts, 'task')} × 1 address`,
      priceId: 'vpc.public-ipv4.hour',
      quantity: { min: counts.min * hoursPerMonth, max: counts.max * hoursPerMonth },
      assumptions: HOURLY,
    });
  }

  const logGroups = taskLogGroups(taskDefinition);
  if (logGroups.length > 0) {
    const gbPerTask = context.assume('logGbPerTaskMonth');
    const ingested = { min: counts.min * gbPerTask, max: counts.max * gbPerTask };
    context.addLine(id, resource, {
      item: 'CloudWatch Logs ingestion',
      detail: `${range(counts, 'task')} × ${gbPerTask} GB`,
      priceId: 'cloudwatch.logs.ingested-gb',
      quantity: ingested,
      assumptions: ['logGbPerTaskMonth'],
    });
    const retention = retentionMonths(context, context.resource(logGroups[0]));
    context.addLine(id, resource, {
      item: 'CloudWatch Logs storage',
      detail: `${formatCount(Math.round(retention.months * 100) / 100)} months retained`,
      priceId: 'cloudwatch.logs.stored-gb-month',
      quantity: { min: ingested.min * retention.months, max: ingested.max * retention.months },
      assumptions: retention.assumed ? ['logGbPerTaskMonth', 'logRetentionMonthsWhenUnset'] : ['logGbPerTaskMonth'],
    });
  }

  const registries = Array.isArray(service.ServiceRegistries) && service.ServiceRegistries.length > 0;
  const serviceConnect =
    service.ServiceConnectConfiguration?.Enabled === true &&
    Array.isArray(service.ServiceConnectConfiguration.Services) &&
    service.ServiceConnectConfiguration.Services.length > 0;
  if (registries || serviceConnect) {
    context.addLine(id, resource, {
      item: 'Cloud Map registered tasks',
      detail: range(counts, 'task'),
      priceId: 'cloudmap.registered-instance',
      quantity: counts,
    });
  }

  if (containerInsightsMode(context.resource(referencedId(service.Cluster))) === 'enabled') {
    const metrics = context.assume('containerInsightsMetricsPerService');
    context.addLine(id, resource, {
      item: 'Container Insights service metrics',
      detail: plural(metrics, 'metric'),
      priceId: 'cloudwatch.custom-metric',
      quantity: same(metrics),
      assumptions: ['containerInsightsMetricsPerService'],
    });
  }
};

const priceEcsCluster: ResourcePricer = (context, id, resource) => {
  const mode = containerInsightsMode(resource);
  if (mode === 'enabled') {
    const metrics = context.assume('containerInsightsMetricsPerCluster');
    context.addLine(id, resource, {
      item: 'Container Insights cluster metrics',
      detail: plural(metrics, 'metric'),
      priceId: 'cloudwatch.custom-metric',
      quantity: same(metrics),
      assumptions: ['containerInsightsMetricsPerCluster'],
    });
  } else if (mode === 'enhanced') {
    context.addNotPriced(
      id,
      resource,
      'Container Insights with enhanced observability is billed per observation; not in the price table',
    );
  } else {
    context.addFree(resource, 'no charge for the cluster; its tasks are priced per service');
  }
};

// ---------------------------------------------------------------- Networking

const priceLoadBalancer: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  const type = literalString(properties.Type) ?? 'application';
  if (type === 'application' || type === 'network') {
    const alb = type === 'application';
    context.addLine(id, resource, {
      item: alb ? 'Application Load Balancer' : 'Network Load Balancer',
      detail: '1 load balancer',
      priceId: alb ? 'elb.alb.hour' : 'elb.nlb.hour',
      quantity: hours(context),
      assumptions: HOURLY,
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
  context.addLine(id, resource, {
    item: 'Public IPv4 addresses of the load balancer',
    detail: `1 per AZ × ${subnets.length} AZs`,
    priceId: 'vpc.public-ipv4.hour',
    quantity: hours(context, subnets.length),
    assumptions: HOURLY,
  });
};

const priceApiGatewayV2Api: ResourcePricer = (context, id, resource) => {
  const protocol = literalString(resource.Properties?.ProtocolType);
  if (protocol !== 'HTTP') {
    context.addNotPriced(
      id,
      resource,
      `${protocol ?? 'an unresolved'} API: only HTTP APIs are in the price table (WebSocket APIs bill messages and connection minutes)`,
    );
    return;
  }
  const requests = context.assume('httpApiRequestsPerMonth');
  context.addLine(id, resource, {
    item: 'API Gateway HTTP API requests',
    detail: `${requests.toLocaleString('en-US')} requests`,
    priceId: 'apigateway.http.million-requests',
    quantity: same(requests / 1_000_000),
    assumptions: ['httpApiRequestsPerMonth'],
  });
};

const priceNatGateway: ResourcePricer = (context, id, resource) => {
  const gbPerMonth = context.assume('natGatewayGbPerMonth');
  context.addLine(id, resource, {
    item: 'NAT gateway',
    detail: '1 gateway',
    priceId: 'vpc.nat-gateway.hour',
    quantity: hours(context),
    assumptions: HOURLY,
  });
  context.addLine(id, resource, {
    item: 'NAT gateway data processed',
    detail: `${gbPerMonth} GB`,
    priceId: 'vpc.nat-gateway.gb',
    quantity: same(gbPerMonth),
    assumptions: ['natGatewayGbPerMonth'],
  });
};

const priceElasticIp: ResourcePricer = (context, id, resource) => {
  context.addLine(id, resource, {
    item: 'Public IPv4 address (Elastic IP)',
    detail: '1 address',
    priceId: 'vpc.public-ipv4.hour',
    quantity: hours(context),
    assumptions: HOURLY,
  });
};

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
    context.addLine(id, resource, {
      item: `${role} ${instanceType}`,
      detail: '1 instance, on-demand',
      priceId: `ec2.${instanceType}.hour`,
      quantity: hours(context),
      assumptions: HOURLY,
    });
  }
  const mappings = Array.isArray(properties.BlockDeviceMappings)
    ? properties.BlockDeviceMappings.filter((mapping: any) => mapping?.Ebs)
    : [];
  if (mappings.length === 0) {
    const gb = context.assume('instanceRootVolumeGb');
    context.addLine(id, resource, {
      item: 'EBS root volume gp3',
      detail: `${gb} GB`,
      priceId: 'ebs.gp3.gb-month',
      quantity: same(gb),
      assumptions: ['instanceRootVolumeGb'],
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
    context.addLine(id, resource, {
      item: `Public IPv4 address of the ${role}`,
      detail: '1 address',
      priceId: 'vpc.public-ipv4.hour',
      quantity: hours(context),
      assumptions: HOURLY,
    });
  }
};

function endpointServiceName(value: unknown): string {
  const literal = literalString(value);
  if (literal) return literal.replace(/^com\.amazonaws\.[a-z0-9-]+\./, '');
  const parts = (value as any)?.['Fn::Join']?.[1];
  const last = Array.isArray(parts) ? literalString(parts[parts.length - 1]) : undefined;
  return last ? last.replace(/^\./, '') : 'service';
}

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
  context.addLine(id, resource, {
    item: `Interface endpoint ${endpointServiceName(properties.ServiceName)}`,
    detail: `${subnets} AZs`,
    priceId: 'vpc.interface-endpoint.az-hour',
    quantity: hours(context, subnets),
    assumptions: HOURLY,
  });
};

// ---------------------------------------------------------------- Observability

const priceLogGroup: ResourcePricer = (context, id, resource) => {
  const writtenByTasks = Object.values(context.resources).some(
    (candidate) => candidate.Type === 'AWS::ECS::TaskDefinition' && taskLogGroups(candidate).includes(id),
  );
  if (writtenByTasks) {
    context.addFree(resource, 'container logs are priced per task of the services that write them');
    return;
  }
  const gb = context.assume('otherLogGroupGbPerMonth');
  const retention = retentionMonths(context, resource);
  const assumptions: AssumptionId[] = retention.assumed
    ? ['otherLogGroupGbPerMonth', 'logRetentionMonthsWhenUnset']
    : ['otherLogGroupGbPerMonth'];
  context.addLine(id, resource, {
    item: 'CloudWatch Logs ingestion',
    detail: `${gb} GB`,
    priceId: 'cloudwatch.logs.ingested-gb',
    quantity: same(gb),
    assumptions,
  });
  context.addLine(id, resource, {
    item: 'CloudWatch Logs storage',
    detail: `${formatCount(Math.round(retention.months * 100) / 100)} months retained`,
    priceId: 'cloudwatch.logs.stored-gb-month',
    quantity: same(gb * retention.months),
    assumptions,
  });
};

const priceAlarm: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  const metrics = Array.isArray(properties.Metrics)
    ? Math.max(1, properties.Metrics.filter((metric: any) => metric?.MetricStat).length)
    : 1;
  const periods = [
    properties.Period,
    ...(Array.isArray(properties.Metrics) ? properties.Metrics.map((metric: any) => metric?.MetricStat?.Period) : []),
  ];
  const highResolution = periods.some((period) => {
    const seconds = literalNumber(period);
    return seconds !== undefined && seconds < 60;
  });
  context.addLine(id, resource, {
    item: highResolution ? 'CloudWatch alarms (high resolution)' : 'CloudWatch alarms',
    detail: '',
    priceId: highResolution ? 'cloudwatch.alarm.high-resolution' : 'cloudwatch.alarm.standard',
    quantity: same(metrics),
    group: { key: 'alarm', noun: 'alarm' },
  });
};

function flat(item: string, priceId: string, noun: string, quantity = 1): ResourcePricer {
  return (context, id, resource) =>
    context.addLine(id, resource, {
      item,
      detail: '',
      priceId,
      quantity: same(quantity),
      group: { key: priceId, noun },
    });
}

// ---------------------------------------------------------------- Storage, DNS, secrets

/** Storage priced per GB-month, at an assumed size per resource. */
function assumedStorage(
  item: string,
  priceId: string,
  assumption: 's3GbPerBucket' | 'ecrGbPerRepository',
): ResourcePricer {
  return (context, id, resource) => {
    const gb = context.assume(assumption);
    context.addLine(id, resource, { item, detail: `${gb} GB`, priceId, quantity: same(gb), assumptions: [assumption] });
  };
}

const priceBucket = assumedStorage('S3 Standard storage', 's3.standard.gb-month', 's3GbPerBucket');
const priceEcrRepository = assumedStorage('ECR image storage', 'ecr.storage.gb-month', 'ecrGbPerRepository');

const priceWebAcl: ResourcePricer = (context, id, resource) => {
  context.addLine(id, resource, { item: 'WAF web ACL', detail: '', priceId: 'waf.web-acl', quantity: same(1) });
  const rules = Array.isArray(resource.Properties?.Rules) ? resource.Properties.Rules.length : 0;
  if (rules > 0) {
    context.addLine(id, resource, {
      item: 'WAF rules',
      detail: plural(rules, 'rule'),
      priceId: 'waf.rule',
      quantity: same(rules),
    });
  }
  context.addNotPriced(
    id,
    resource,
    'WAF requests ($0.60 per million in us-east-1) depend on traffic and are not priced',
  );
};

// ---------------------------------------------------------------- Delivery

const pricePipeline: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  if (literalString(properties.PipelineType) !== 'V2') {
    context.addLine(id, resource, {
      item: 'CodePipeline V1 pipeline',
      detail: '1 active pipeline',
      priceId: 'codepipeline.v1.pipeline-month',
      quantity: same(1),
    });
    return;
  }
  const actions = (Array.isArray(properties.Stages) ? properties.Stages : [])
    .flatMap((stage: any) => (Array.isArray(stage?.Actions) ? stage.Actions : []))
    .filter((action: any) => action?.ActionTypeId?.Category !== 'Approval' && action?.ActionTypeId?.Owner !== 'Custom');
  const runs = context.assume('pipelineRunsPerMonth');
  const minutes = context.assume('pipelineMinutesPerAction');
  context.addLine(id, resource, {
    item: 'CodePipeline V2 action minutes',
    detail: `${actions.length} charged actions × ${minutes} min × ${runs} runs`,
    priceId: 'codepipeline.v2.action-minute',
    quantity: same(actions.length * minutes * runs),
    assumptions: ['pipelineRunsPerMonth', 'pipelineMinutesPerAction'],
  });
};

const CODEBUILD_SIZES: Readonly<Record<string, string>> = {
  BUILD_GENERAL1_SMALL: 'small',
  BUILD_GENERAL1_MEDIUM: 'medium',
  BUILD_GENERAL1_LARGE: 'large',
  BUILD_GENERAL1_2XLARGE: '2xlarge',
};

const priceCodeBuildProject: ResourcePricer = (context, id, resource) => {
  const environment = resource.Properties?.Environment ?? {};
  const size = CODEBUILD_SIZES[literalString(environment.ComputeType) ?? ''];
  const platform = ({ LINUX_CONTAINER: 'linux', ARM_CONTAINER: 'arm' } as Record<string, string>)[
    literalString(environment.Type) ?? ''
  ];
  const priceId = `codebuild.${platform}.${size}.minute`;
  if (!size || !platform || !context.hasPrice(priceId)) {
    context.addNotPriced(
      id,
      resource,
      `CodeBuild ${environment.Type ?? '?'} ${environment.ComputeType ?? '?'} is not in the price table`,
    );
    return;
  }
  const runs = context.assume('pipelineRunsPerMonth');
  const minutes = context.assume('codeBuildMinutesPerRun');
  context.addLine(id, resource, {
    item: `CodeBuild ${platform} ${size}`,
    detail: `${minutes} min × ${runs} runs`,
    priceId,
    quantity: same(minutes * runs),
    assumptions: ['pipelineRunsPerMonth', 'codeBuildMinutesPerRun'],
  });
};

const reportLambda: ResourcePricer = (context, id, resource) =>
  context.addNotPriced(
    id,
    resource,
    'Lambda is billed per request and GB-second, which the template does not tell; CDK custom-resource handlers run only while deploying',
  );

/** Pricers by CloudFormation resource type. */
export const RESOURCE_PRICERS: Readonly<Record<string, ResourcePricer>> = {
  'AWS::ECS::Service': priceEcsService,
  'AWS::ECS::Cluster': priceEcsCluster,
  'AWS::ElasticLoadBalancingV2::LoadBalancer': priceLoadBalancer,
  'AWS::ApiGatewayV2::Api': priceApiGatewayV2Api,
  'AWS::EC2::NatGateway': priceNatGateway,
  'AWS::EC2::EIP': priceElasticIp,
  'AWS::EC2::Instance': priceInstance,
  'AWS::EC2::VPCEndpoint': priceVpcEndpoint,
  'AWS::Logs::LogGroup': priceLogGroup,
  'AWS::CloudWatch::Alarm': priceAlarm,
  'AWS::CloudWatch::CompositeAlarm': flat(
    'CloudWatch composite alarms',
    'cloudwatch.alarm.composite',
    'composite alarm',
  ),
  'AWS::CloudWatch::Dashboard': flat('CloudWatch dashboards', 'cloudwatch.dashboard', 'dashboard'),
  'AWS::KMS::Key': flat('KMS customer managed keys', 'kms.key', 'key'),
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
  'AWS::S3::Bucket': priceBucket,
  'AWS::ECR::Repository': priceEcrRepository,
  'AWS::SecretsManager::Secret': flat('Secrets Manager secrets', 'secretsmanager.secret', 'secret'),
  'AWS::WAFv2::WebACL': priceWebAcl,
  'AWS::CodePipeline::Pipeline': pricePipeline,
  'AWS::CodeBuild::Project': priceCodeBuildProject,
  'AWS::Lambda::Function': reportLambda,
};

/**
 * Resource types that cost nothing by themselves, with the reason printed in
 * the estimate. A type in neither this list nor RESOURCE_PRICERS is reported
 * as not priced.
 */
export const FREE_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'IAM is free',
  'AWS::IAM::Policy': 'IAM is free',
  'AWS::IAM::ManagedPolicy': 'IAM is free',
  'AWS::IAM::InstanceProfile': 'IAM is free',
  'AWS::EC2::VPC': 'no charge for the VPC itself',
  'AWS::EC2::Subnet': 'no charge for subnets',
  'AWS::EC2::RouteTable': 'no charge for route tables',
  'AWS::EC2::Route': 'no charge for routes',
  'AWS::EC2::SubnetRouteTableAssociation': 'no charge for route tables',
  'AWS::EC2::InternetGateway': 'no charge for the internet gateway (data transfer out is not priced)',
  'AWS::EC2::VPCGatewayAttachment': 'no charge for the internet gateway',
  'AWS::EC2::EgressOnlyInternetGateway': 'no charge for the gateway itself',
  'AWS::EC2::VPCCidrBlock': 'no charge for CIDR blocks',
  'AWS::EC2::SecurityGroup': 'no charge for security groups',
  'AWS::EC2::SecurityGroupIngress': 'no charge for security groups',
  'AWS::EC2::SecurityGroupEgress': 'no charge for security groups',
  'AWS::EC2::NetworkAcl': 'no charge for network ACLs',
  'AWS::EC2::NetworkAclEntry': 'no charge for network ACLs',
  'AWS::EC2::SubnetNetworkAclAssociation': 'no charge for network ACLs',
  'AWS::EC2::FlowLog': 'priced as ingestion into its log group',
  'AWS::EC2::LaunchTemplate': 'no charge for launch templates',
  'AWS::ECS::TaskDefinition': 'priced through the services that run it',
  'AWS::ECS::ClusterCapacityProviderAssociations': 'no charge; tasks are priced per service',
  'AWS::ElasticLoadBalancingV2::Listener': 'included in the load balancer price',
  'AWS::ElasticLoadBalancingV2::ListenerRule':
    'included in the load balancer price (rule evaluations count toward LCU)',
  'AWS::ElasticLoadBalancingV2::ListenerCertificate': 'included in the load balancer price',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'included in the load balancer price',
  'AWS::ApiGatewayV2::VpcLink':
    'VPC links for HTTP APIs have no hourly or data charge; the traffic through them is in the API request price',
  'AWS::ApiGatewayV2::Stage': 'included in the API request price',
  'AWS::ApiGatewayV2::Route': 'included in the API request price',
  'AWS::ApiGatewayV2::Integration': 'included in the API request price',
  'AWS::ApiGatewayV2::DomainName': 'no charge for a custom domain name; its requests are priced on the API',
  'AWS::ApiGatewayV2::ApiMapping': 'no charge',
  'AWS::CertificateManager::Certificate': 'public ACM certificates are free',
  'AWS::ApplicationAutoScaling::ScalableTarget': 'Application Auto Scaling is free; the tasks are priced per service',
  'AWS::ApplicationAutoScaling::ScalingPolicy': 'Application Auto Scaling is free (its alarms are priced as alarms)',
  'AWS::Logs::ResourcePolicy': 'no charge',
  'AWS::Logs::MetricFilter': 'no charge for the filter itself',
  'AWS::KMS::Alias': 'no charge for aliases',
  'AWS::S3::BucketPolicy': 'no charge',
  'AWS::SNS::Topic': 'no monthly charge; alarm notifications are billed per publish and delivery, cents at most',
  'AWS::SNS::TopicPolicy': 'no charge',
  'AWS::SNS::Subscription': 'no charge for the subscription',
  'AWS::Events::Rule': 'no charge for AWS service events on the default bus',
  'AWS::Route53::RecordSet': 'included in the hosted zone; alias queries to AWS resources are free',
  'AWS::Route53::RecordSetGroup': 'included in the hosted zone; alias queries to AWS resources are free',
  'AWS::ServiceDiscovery::Service': 'registered tasks are priced per ECS service',
  'AWS::ServiceDiscovery::HttpNamespace': 'no hosted zone; registered tasks are priced per ECS service',
  'AWS::SSM::Parameter': 'standard parameters are free',
  'AWS::CodeStarNotifications::NotificationRule': 'no charge',
  'AWS::CodeStarConnections::Connection': 'no charge',
  'AWS::CodeConnections::Connection': 'no charge',
  'AWS::ECR::RepositoryPolicy': 'no charge',
  'AWS::WAFv2::WebACLAssociation': 'no charge; the web ACL is priced',
  'AWS::WAFv2::LoggingConfiguration': 'priced as ingestion into its log group',
  'AWS::Lambda::Permission': 'no charge',
  'AWS::CDK::Metadata': 'CDK bookkeeping, not an AWS resource',
  'AWS::CloudFormation::CustomResource':
    'CloudFormation does not charge for custom resources (their handler, if listed, is priced or not priced separately)',
  'AWS::CloudFormation::WaitConditionHandle': 'no charge',
};
