import { readCloudAssembly } from '../../src/assembly/cloud-assembly';
import { withAssumptions } from '../../src/cost/assumptions';
import { estimateCosts, SectionEstimate } from '../../src/cost/cost-estimate';
import type { CostLine } from '../../src/cost/stack-pricing-context';
import { fargateService, removeAssemblies, template, writeAssembly } from '../assembly/assembly-fixture';

function line(section: SectionEstimate, resource: string, item: string): CostLine {
  const found = section.lines.find((candidate) => candidate.resource === resource && candidate.item === item);
  if (!found) {
    throw new Error(
      `no line ${resource} / ${item} in ${section.lines.map((l) => `${l.resource}/${l.item}`).join(', ')}`,
    );
  }
  return found;
}

const NETWORK = {
  PublicA: { Type: 'AWS::EC2::Subnet', Properties: { MapPublicIpOnLaunch: true } },
  PublicB: { Type: 'AWS::EC2::Subnet', Properties: { MapPublicIpOnLaunch: true } },
  Alb: {
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    Properties: { Scheme: 'internet-facing', Type: 'application', Subnets: [{ Ref: 'PublicA' }, { Ref: 'PublicB' }] },
  },
  NatIp: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
  Nat: {
    Type: 'AWS::EC2::NatGateway',
    Properties: { AllocationId: { 'Fn::GetAtt': ['NatIp', 'AllocationId'] }, SubnetId: { Ref: 'PublicA' } },
  },
};

afterAll(removeAssemblies);

describe('estimateCosts', () => {
  test('a hand-made environment with known quantities gives the exact total', () => {
    // GIVEN two on-demand 0.5 vCPU / 1 GB tasks, an ALB in 2 AZs, one NAT gateway, two alarms, logs kept forever
    const dir = writeAssembly({
      stages: {
        Dev: {
          App: {
            template: template({
              Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
              ...NETWORK,
              ...fargateService('Api', {
                cpu: '512',
                memory: '1024',
                service: { LaunchType: 'FARGATE', DesiredCount: 2 },
              }),
              AlarmA: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 60 } },
              AlarmB: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 300 } },
              Role: { Type: 'AWS::IAM::Role', Properties: {} },
            }),
          },
        },
      },
    });

    // WHEN
    const [dev] = estimateCosts(readCloudAssembly(dir)).sections;

    // THEN each line is quantity × list price, and the total is their sum to the cent
    expect(line(dev, 'ApiService', 'Fargate vCPU').monthlyUsd).toEqual({ min: 29.55, max: 29.55 }); // 2 × 0.5 × 730 × 0.04048
    expect(line(dev, 'ApiService', 'Fargate memory').monthlyUsd).toEqual({ min: 6.49, max: 6.49 }); // 2 × 1 × 730 × 0.004445
    expect(line(dev, 'Alb', 'Application Load Balancer').monthlyUsd.min).toBe(16.43); // 730 × 0.0225
    expect(line(dev, 'Alb', 'ALB capacity units (LCU)').monthlyUsd.min).toBe(2.92); // 0.5 × 730 × 0.008
    expect(line(dev, 'Alb', 'Public IPv4 addresses of the load balancer').monthlyUsd.min).toBe(7.3); // 2 × 730 × 0.005
    expect(line(dev, 'Nat', 'NAT gateway').monthlyUsd.min).toBe(32.85);
    expect(line(dev, 'Nat', 'NAT gateway data processed').monthlyUsd.min).toBe(0.45);
    expect(line(dev, 'NatIp', 'Public IPv4 address (Elastic IP)').monthlyUsd.min).toBe(3.65);
    expect(line(dev, 'ApiService', 'CloudWatch Logs ingestion').monthlyUsd.min).toBe(1); // 2 tasks × 1 GB × 0.50
    expect(line(dev, 'ApiService', 'CloudWatch Logs storage').monthlyUsd.min).toBe(0.72); // 2 GB × 12 months × 0.03
    expect(line(dev, '2 alarms', 'CloudWatch alarms').monthlyUsd.min).toBe(0.2);
    expect(dev.lines).toHaveLength(11);
    expect(dev.totalMonthlyUsd).toEqual({ min: 101.56, max: 101.56 });
    expect(dev.free).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resourceType: 'AWS::IAM::Role', count: 1 }),
        expect.objectContaining({ resourceType: 'AWS::ECS::TaskDefinition', count: 1 }),
        expect.objectContaining({ resourceType: 'AWS::Logs::LogGroup', count: 1 }),
      ]),
    );
    expect(dev.notPriced).toEqual([]);
  });

  test('Spot tasks cost the stated discount less, and the on-demand base is filled first', () => {
    // GIVEN 0.25 vCPU tasks: base 1 on FARGATE, the rest FARGATE:FARGATE_SPOT 1:3, autoscaling 1 to 5
    const dir = writeAssembly({
      stages: {
        Dev: {
          App: {
            template: template({
              Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
              ...fargateService('Web', {
                cpu: '256',
                memory: '512',
                logRetentionDays: 7,
                // Autoscaled services have no DesiredCount (Slipway leaves it out); the scalable target bounds count.
                service: {
                  CapacityProviderStrategy: [
                    { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
                    { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
                  ],
                },
              }),
              Scaling: {
                Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
                Properties: {
                  MinCapacity: 1,
                  MaxCapacity: 5,
                  ScalableDimension: 'ecs:service:DesiredCount',
                  ServiceNamespace: 'ecs',
                  ResourceId: {
                    'Fn::Join': ['', ['service/', { Ref: 'Cluster' }, '/', { 'Fn::GetAtt': ['WebService', 'Name'] }]],
                  },
                },
              },
            }),
          },
        },
      },
    });

    const [dev] = estimateCosts(readCloudAssembly(dir)).sections;

    // THEN at minimum the one task is the on-demand base; at maximum 1 + 1 on-demand and 3 on Spot at 30% of the price
    const onDemand = line(dev, 'WebService', 'Fargate vCPU');
    expect(onDemand.quantity).toEqual({ min: 182.5, max: 365 });
    expect(onDemand.monthlyUsd).toEqual({ min: 7.39, max: 14.78 });
    const spot = line(dev, 'WebService', 'Fargate Spot vCPU');
    expect(spot.unitPriceUsd).toBeCloseTo(0.04048 * 0.3, 10);
    expect(spot.quantity).toEqual({ min: 0, max: 547.5 });
    expect(spot.monthlyUsd).toEqual({ min: 0, max: 6.65 });
    expect(spot.assumptions).toContain('fargateSpotDiscount');
    expect(spot.detail).toBe('0–3 tasks × 0.25 vCPU');
    // 7 days of retention keep 7/30.4 of a month's logs
    expect(line(dev, 'WebService', 'CloudWatch Logs storage').quantity.max).toBeCloseTo(5 * (7 / (365 / 12)), 10);
    expect(dev.totalMonthlyUsd.max).toBeGreaterThan(dev.totalMonthlyUsd.min);
  });

  test('all-Spot costs 30% of the same service on-demand', () => {
    const service = (strategy: object) =>
      writeAssembly({
        stages: {
          Dev: {
            App: {
              template: template({
                Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
                ...fargateService('Web', { cpu: '1024', memory: '2048', service: { DesiredCount: 3, ...strategy } }),
              }),
            },
          },
        },
      });
    const onDemand = estimateCosts(readCloudAssembly(service({ LaunchType: 'FARGATE' }))).sections[0];
    const spot = estimateCosts(
      readCloudAssembly(service({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] })),
    ).sections[0];
    const compute = (section: SectionEstimate) =>
      section.lines
        .filter((l) => l.item.startsWith('Fargate'))
        .reduce((sum, l) => sum + l.quantity.min * l.unitPriceUsd, 0);
    expect(compute(spot)).toBeCloseTo(compute(onDemand) * 0.3, 8);
    expect(spot.lines.map((l) => l.item)).toEqual(expect.arrayContaining(['Fargate Spot vCPU', 'Fargate Spot memory']));
    expect(spot.lines.map((l) => l.item)).not.toContain('Fargate vCPU');
  });

  test('a service with an out-of-hours schedule is billed for its awake hours only (55 of 168 a week)', () => {
    // GIVEN the same service running all the time, and tagged as dev's schedule tags it
    const service = (tags: object[]) =>
      writeAssembly({
        stages: {
          Dev: {
            App: {
              template: template({
                Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
                ...fargateService('Web', {
                  cpu: '256',
                  memory: '512',
                  service: { DesiredCount: 1, LaunchType: 'FARGATE', Tags: tags },
                }),
              }),
            },
          },
        },
      });
    // WHEN both are priced
    const always = estimateCosts(readCloudAssembly(service([]))).sections[0];
    const scheduled = estimateCosts(
      readCloudAssembly(
        service([{ Key: 'slipway:awake-hours', Value: 'Europe/Dublin MON TUE WED THU FRI 08:00-19:00' }]),
      ),
    ).sections[0];
    // THEN the scheduled one's task hours are 55/168 of the other's, and the line says why
    const vcpu = (section: SectionEstimate) => line(section, 'WebService', 'Fargate vCPU');
    expect(vcpu(scheduled).quantity.min).toBeCloseTo((vcpu(always).quantity.min * 55) / 168, 8);
    expect(vcpu(scheduled).detail).toBe('1 task × 0.25 vCPU, awake 55 of 168 h a week');
  });

  describe('an HTTP API with a VPC link instead of a load balancer', () => {
    // GIVEN an HTTP API with its stage, two routes, an integration, a VPC link, its access log group and one Spot task
    const httpApiEnvironment = () =>
      writeAssembly({
        stages: {
          Dev: {
            App: {
              template: template({
                Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
                ...fargateService('Web', {
                  cpu: '256',
                  memory: '512',
                  logRetentionDays: 7,
                  service: {
                    CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
                    DesiredCount: 1,
                  },
                }),
                Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP', Name: 'slipway-dev' } },
                ApiStage: {
                  Type: 'AWS::ApiGatewayV2::Stage',
                  Properties: { ApiId: { Ref: 'Api' }, StageName: '$default' },
                },
                ApiRouteA: {
                  Type: 'AWS::ApiGatewayV2::Route',
                  Properties: { ApiId: { Ref: 'Api' }, RouteKey: 'ANY /api' },
                },
                ApiRouteB: {
                  Type: 'AWS::ApiGatewayV2::Route',
                  Properties: { ApiId: { Ref: 'Api' }, RouteKey: '$default' },
                },
                ApiIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Api' } } },
                VpcLink: { Type: 'AWS::ApiGatewayV2::VpcLink', Properties: { SubnetIds: ['subnet-1', 'subnet-2'] } },
                AccessLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 } },
              }),
            },
          },
        },
      });

    test('requests are priced at $1.00 per million from a stated assumption; the VPC link, stage and routes are free', () => {
      // WHEN priced with the default assumptions
      const estimate = estimateCosts(readCloudAssembly(httpApiEnvironment()));
      const [dev] = estimate.sections;

      // THEN
      const requests = line(dev, 'Api', 'API Gateway HTTP API requests');
      expect(requests).toEqual(
        expect.objectContaining({
          detail: '1,000,000 requests',
          unit: 'million-requests',
          unitPriceUsd: 1,
          quantity: { min: 1, max: 1 },
          monthlyUsd: { min: 1, max: 1 },
          assumptions: ['httpApiRequestsPerMonth'],
        }),
      );
      expect(line(dev, 'AccessLogs', 'CloudWatch Logs ingestion').monthlyUsd.min).toBe(0.5); // 1 GB × 0.50
      expect(line(dev, 'AccessLogs', 'CloudWatch Logs storage').monthlyUsd.min).toBe(0.01); // 1 GB × 7/30.4 months × 0.03
      expect(line(dev, 'WebService', 'Fargate Spot vCPU').monthlyUsd.min).toBe(2.22); // 0.25 × 730 × 0.04048 × 0.3
      expect(line(dev, 'WebService', 'Fargate Spot memory').monthlyUsd.min).toBe(0.49); // 0.5 × 730 × 0.004445 × 0.3
      expect(dev.totalMonthlyUsd).toEqual({ min: 4.73, max: 4.73 }); // + task logs 0.50 + 0.01
      expect(dev.lines.map((l) => l.item)).not.toContain('Public IPv4 addresses of the load balancer');
      expect(dev.free).toEqual(
        expect.arrayContaining([
          {
            resourceType: 'AWS::ApiGatewayV2::VpcLink',
            count: 1,
            reason: expect.stringContaining('VPC links for HTTP APIs have no hourly or data charge'),
          },
          expect.objectContaining({ resourceType: 'AWS::ApiGatewayV2::Stage', count: 1 }),
          expect.objectContaining({ resourceType: 'AWS::ApiGatewayV2::Route', count: 2 }),
          expect.objectContaining({ resourceType: 'AWS::ApiGatewayV2::Integration', count: 1 }),
        ]),
      );
      expect(dev.notPriced).toEqual([]);
      expect(estimate.assumptions).toContainEqual({
        id: 'httpApiRequestsPerMonth',
        value: 1_000_000,
        text: expect.stringContaining('Each API Gateway HTTP API serves 1,000,000 requests a month'),
      });
    });

    test('the request assumption can be replaced (--assume httpApiRequestsPerMonth=25000000)', () => {
      const [dev] = estimateCosts(readCloudAssembly(httpApiEnvironment()), {
        assumptions: withAssumptions({ httpApiRequestsPerMonth: 25_000_000 }),
      }).sections;
      expect(line(dev, 'Api', 'API Gateway HTTP API requests').monthlyUsd).toEqual({ min: 25, max: 25 });
    });

    test('a WebSocket API is not priced, never $0', () => {
      const dir = writeAssembly({
        stacks: {
          Chat: {
            template: template({ Ws: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } } }),
          },
        },
      });
      const [section] = estimateCosts(readCloudAssembly(dir)).sections;
      expect(section.lines).toEqual([]);
      expect(section.notPriced).toEqual([
        expect.objectContaining({
          resource: 'Ws',
          reason: expect.stringContaining('only HTTP APIs are in the price table'),
        }),
      ]);
    });
  });

  test('a resource type it cannot price is listed as not priced and left out of the total', () => {
    const dir = writeAssembly({
      stacks: {
        Things: {
          template: template({
            Mystery: { Type: 'AWS::Foo::Bar', Properties: {} },
            Handler: { Type: 'AWS::Lambda::Function', Properties: {} },
            Key: { Type: 'AWS::KMS::Key', Properties: {} },
          }),
        },
      },
    });

    const [section] = estimateCosts(readCloudAssembly(dir)).sections;

    expect(section.notPriced).toEqual([
      {
        stack: 'Things',
        resource: 'Handler',
        resourceType: 'AWS::Lambda::Function',
        reason: expect.stringContaining('Lambda is billed per request and GB-second'),
      },
      {
        stack: 'Things',
        resource: 'Mystery',
        resourceType: 'AWS::Foo::Bar',
        reason: 'no price in the table for this resource type',
      },
    ]);
    expect(section.lines.map((l) => l.resourceType)).toEqual(['AWS::KMS::Key']);
    expect(section.totalMonthlyUsd).toEqual({ min: 1, max: 1 });
  });

  test('a service on EC2 capacity or with an unresolved task size is not priced, never $0', () => {
    const dir = writeAssembly({
      stages: {
        Dev: {
          App: {
            template: template({
              Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
              ...fargateService('OnEc2', { cpu: '256', memory: '512', service: { LaunchType: 'EC2' } }),
              ...fargateService('Tokens', {
                cpu: { Ref: 'CpuParam' } as any,
                memory: '512',
                service: { LaunchType: 'FARGATE' },
              }),
            }),
          },
        },
      },
    });
    const [dev] = estimateCosts(readCloudAssembly(dir)).sections;
    expect(dev.notPriced.map((item) => [item.resource, item.reason])).toEqual([
      ['OnEc2Service', 'runs on the EC2 launch type, not Fargate; price its instances instead'],
      ['TokensService', 'its task definition has no literal task-level Cpu and Memory'],
    ]);
    expect(dev.lines.filter((l) => l.resourceType === 'AWS::ECS::Service')).toEqual([]);
  });

  test("a Lambda function's log group takes in the functions' assumed volume (10 MB), any other the log groups' (1 GB)", () => {
    // GIVEN a custom resource provider that logs to a group of the stack, and a group nothing in the template names
    const dir = writeAssembly({
      stages: {
        Dev: {
          App: {
            template: template({
              ProviderLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
              Provider: {
                Type: 'AWS::Lambda::Function',
                Properties: { Runtime: 'nodejs22.x', LoggingConfig: { LogGroup: { Ref: 'ProviderLogs' } } },
              },
              FlowLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
            }),
          },
        },
      },
    });
    // WHEN priced with the default assumptions, and with 500 MB for a function's group
    const [dev] = estimateCosts(readCloudAssembly(dir)).sections;
    const [larger] = estimateCosts(readCloudAssembly(dir), {
      assumptions: withAssumptions({ functionLogGroupMbPerMonth: 500 }),
    }).sections;
    // THEN
    expect(line(dev, 'ProviderLogs', 'CloudWatch Logs ingestion')).toEqual(
      expect.objectContaining({
        detail: '10 MB',
        quantity: { min: 0.01, max: 0.01 },
        monthlyUsd: { min: 0.01, max: 0.01 }, // 0.01 GB × 0.50, to the cent
        assumptions: ['functionLogGroupMbPerMonth'],
      }),
    );
    expect(line(dev, 'FlowLogs', 'CloudWatch Logs ingestion')).toEqual(
      expect.objectContaining({
        detail: '1 GB',
        monthlyUsd: { min: 0.5, max: 0.5 },
        assumptions: ['otherLogGroupGbPerMonth'],
      }),
    );
    expect(line(larger, 'ProviderLogs', 'CloudWatch Logs ingestion').monthlyUsd).toEqual({ min: 0.25, max: 0.25 });
  });

  test('NAT instance: instance hours, root volume and its auto-assigned public IPv4 address', () => {
    const dir = writeAssembly({
      stages: {
        Dev: {
          App: {
            template: template({
              PublicA: { Type: 'AWS::EC2::Subnet', Properties: { MapPublicIpOnLaunch: true } },
              NatInstance: {
                Type: 'AWS::EC2::Instance',
                Properties: { InstanceType: 't4g.nano', SourceDestCheck: false, SubnetId: { Ref: 'PublicA' } },
              },
              Bastion: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 'x9.huge' } },
            }),
          },
        },
      },
    });
    const [dev] = estimateCosts(readCloudAssembly(dir)).sections;
    expect(line(dev, 'NatInstance', 'NAT instance t4g.nano').monthlyUsd.min).toBe(3.07); // 730 × 0.0042
    expect(line(dev, 'NatInstance', 'EBS root volume gp3').monthlyUsd.min).toBe(0.64); // 8 × 0.08
    expect(line(dev, 'NatInstance', 'Public IPv4 address of the NAT instance').monthlyUsd.min).toBe(3.65);
    expect(dev.notPriced).toEqual([
      expect.objectContaining({
        resource: 'Bastion',
        reason: expect.stringContaining('instance type x9.huge is not in the price table'),
      }),
    ]);
  });

  test('pipeline: V2 action minutes leave out the manual approval; CodeBuild minutes by compute type', () => {
    const action = (name: string, category: string, provider: string, runOrder = 1) => ({
      Name: name,
      RunOrder: runOrder,
      ActionTypeId: { Category: category, Owner: 'AWS', Provider: provider, Version: '1' },
    });
    const dir = writeAssembly({
      stacks: {
        Pipeline: {
          template: template({
            Pipeline: {
              Type: 'AWS::CodePipeline::Pipeline',
              Properties: {
                PipelineType: 'V2',
                Stages: [
                  { Name: 'Source', Actions: [action('Source', 'Source', 'CodeStarSourceConnection')] },
                  { Name: 'Build', Actions: [action('Synth', 'Build', 'CodeBuild')] },
                  {
                    Name: 'Prod',
                    Actions: [action('Approve', 'Approval', 'Manual'), action('Deploy', 'Deploy', 'CloudFormation', 2)],
                  },
                ],
              },
            },
            Synth: {
              Type: 'AWS::CodeBuild::Project',
              Properties: { Environment: { Type: 'LINUX_CONTAINER', ComputeType: 'BUILD_GENERAL1_MEDIUM' } },
            },
          }),
        },
      },
    });
    const estimate = estimateCosts(readCloudAssembly(dir));
    const [pipeline] = estimate.sections;
    expect(pipeline.kind).toBe('pipeline');
    const minutes = line(pipeline, 'Pipeline', 'CodePipeline V2 action minutes');
    expect(minutes.quantity.min).toBe(3 * 3 * 40);
    expect(minutes.monthlyUsd.min).toBe(0.72);
    expect(line(pipeline, 'Synth', 'CodeBuild linux medium').monthlyUsd.min).toBe(2); // 5 min × 40 runs × $0.01
    expect(estimate.assumptions.map((a) => a.id)).toEqual([
      'pipelineRunsPerMonth',
      'pipelineMinutesPerAction',
      'codeBuildMinutesPerRun',
    ]);
  });

  test('a region with overrides uses them and says which prices fell back to us-east-1', () => {
    const dir = writeAssembly({
      stacks: {
        Edge: {
          template: template({ Alb: NETWORK.Alb, PublicA: NETWORK.PublicA, PublicB: NETWORK.PublicB }),
          environment: 'aws://1/eu-west-1',
        },
      },
    });
    const estimate = estimateCosts(readCloudAssembly(dir));
    expect(line(estimate.sections[0], 'Alb', 'Application Load Balancer').unitPriceUsd).toBe(0.0252);
    expect(estimate.sections[0].regions).toEqual(['eu-west-1']);
    expect(estimate.notes).toEqual([
      expect.stringMatching(
        /^eu-west-1: the table has no eu-west-1 entry for \d+ prices; those use us-east-1 list prices/,
      ),
    ]);

    const forced = estimateCosts(readCloudAssembly(dir), {
      region: 'us-east-1',
      customPrices: { 'elb.alb.hour': 0.02 },
    });
    expect(line(forced.sections[0], 'Alb', 'Application Load Balancer').unitPriceUsd).toBe(0.02);
    expect(forced.notes).toEqual([]);
  });

  test('Container Insights adds cluster and per-service metrics; enhanced observability is not priced', () => {
    const withInsights = (value: string) =>
      writeAssembly({
        stages: {
          Prod: {
            App: {
              template: template({
                Cluster: {
                  Type: 'AWS::ECS::Cluster',
                  Properties: { ClusterSettings: [{ Name: 'containerInsights', Value: value }] },
                },
                ...fargateService('Api', { cpu: '256', memory: '512', service: { LaunchType: 'FARGATE' } }),
              }),
            },
          },
        },
      });
    const [enabled] = estimateCosts(readCloudAssembly(withInsights('enabled'))).sections;
    expect(line(enabled, 'Cluster', 'Container Insights cluster metrics').monthlyUsd.min).toBe(3.6); // 12 × 0.30
    expect(line(enabled, 'ApiService', 'Container Insights service metrics').monthlyUsd.min).toBe(6.6); // 22 × 0.30
    const [enhanced] = estimateCosts(readCloudAssembly(withInsights('enhanced'))).sections;
    expect(enhanced.notPriced.map((item) => item.resource)).toEqual(['Cluster']);
  });
});
