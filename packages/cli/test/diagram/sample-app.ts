import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  App,
  Duration,
  pipelines,
  Stack,
  Stage,
  StageProps,
  aws_certificatemanager as acm,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as actions,
  aws_codepipeline as codepipeline,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_servicediscovery as servicediscovery,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

interface EnvironmentShape {
  readonly spot: boolean;
  readonly natInstance: boolean;
  readonly https: boolean;
  readonly namespace?: string;
  readonly scaling?: { readonly min: number; readonly max: number };
}

/** A two-service Fargate environment built with plain aws-cdk-lib, shaped like Slipway's dev and prod. */
class WebAppStage extends Stage {
  constructor(scope: Construct, id: string, shape: EnvironmentShape, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'App');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: shape.natInstance ? 1 : 2,
      natGatewayProvider: shape.natInstance
        ? ec2.NatProvider.instanceV2({ instanceType: new ec2.InstanceType('t4g.nano') })
        : undefined,
    });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const namespace = shape.namespace
      ? new servicediscovery.PrivateDnsNamespace(stack, 'Namespace', { name: shape.namespace, vpc })
      : undefined;
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    const listener = shape.https
      ? alb.addListener('Https', {
          port: 443,
          certificates: [
            acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:333333333333:certificate/abc'),
          ],
        })
      : alb.addListener('Http', { port: 80 });
    if (shape.https) alb.addRedirect({ sourcePort: 80, targetPort: 443 });
    const topic = new sns.Topic(stack, 'Alarms');

    for (const [name, priority] of [
      ['backend', 10],
      ['frontend', undefined],
    ] as const) {
      const task = new ecs.FargateTaskDefinition(stack, `${name}Task`, { cpu: 256, memoryLimitMiB: 512 });
      task.addContainer('app', {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'),
        portMappings: [{ containerPort: 8080 }],
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: name }),
      });
      const service = new ecs.FargateService(stack, name, {
        cluster,
        taskDefinition: task,
        desiredCount: shape.scaling?.min ?? 1,
        capacityProviderStrategies: [{ capacityProvider: shape.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
        cloudMapOptions: namespace ? { name, cloudMapNamespace: namespace } : undefined,
      });
      if (shape.scaling) {
        service
          .autoScaleTaskCount({ minCapacity: shape.scaling.min, maxCapacity: shape.scaling.max })
          .scaleOnCpuUtilization('Cpu', {
            targetUtilizationPercent: 60,
          });
      }
      listener.addTargets(name, {
        port: 8080,
        targets: [service],
        priority,
        conditions: priority ? [elbv2.ListenerCondition.pathPatterns(['/api/*'])] : undefined,
      });
      new cloudwatch.Alarm(stack, `${name}Cpu`, {
        metric: service.metricCpuUtilization({ period: Duration.minutes(5) }),
        threshold: 90,
        evaluationPeriods: 3,
      }).addAlarmAction(new actions.SnsAction(topic));
    }
  }
}

/**
 * Synthesize the fixture app: a pipeline stack with Dev (Spot, NAT instance, HTTP, Cloud Map) and Prod (HTTPS, NAT
 * gateways, approval). `pathMetadata` is what the CDK CLI turns on and a plain `app.synth()` leaves off.
 */
export function synthSampleApp(options: { readonly pathMetadata: boolean } = { pathMetadata: true }): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-sample-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': options.pathMetadata } });
  const pipelineStack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'us-east-1' } });
  const pipeline = new pipelines.CodePipeline(pipelineStack, 'Delivery', {
    crossAccountKeys: true,
    pipelineType: codepipeline.PipelineType.V2,
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection('acme/web', 'main', {
        connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/abc',
      }),
      commands: ['npm ci', 'npx projen build'],
    }),
  });
  pipeline.addStage(
    new WebAppStage(
      app,
      'Dev',
      { spot: true, natInstance: true, https: false, namespace: 'dev.local' },
      { env: { account: '222222222222', region: 'us-east-1' } },
    ),
    { post: [new pipelines.ShellStep('Verify', { commands: ['npx slipway verify'] })] },
  );
  pipeline.addStage(
    new WebAppStage(
      app,
      'Prod',
      { spot: false, natInstance: false, https: true, scaling: { min: 2, max: 6 } },
      { env: { account: '333333333333', region: 'us-east-1' } },
    ),
    {
      pre: [new pipelines.ManualApprovalStep('Approve')],
      post: [new pipelines.ShellStep('Verify', { commands: ['npx slipway verify'] })],
    },
  );
  app.synth();
  return outdir;
}
