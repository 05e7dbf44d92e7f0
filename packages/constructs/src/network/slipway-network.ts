import { Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { natInstanceUserData } from './nat-instance-user-data';
import { VpcEndpointName } from '../config/environment-config';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { EnvironmentKey } from '../security/environment-key';

/** How long CloudFormation waits for a new NAT instance to report that it forwards (the user data's retries fit in it). */
const NAT_INSTANCE_SIGNAL_TIMEOUT = 'PT15M';

/** Props of `SlipwayNetwork`. */
export interface SlipwayNetworkProps {
  /** Availability zones to spread subnets over, listed so synth needs no lookup. At least one. */
  readonly availabilityZones: readonly string[];
  /**
   * How many NATs (gateways or instances) give the private subnets egress. 1 to availabilityZones.length.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * What provides NAT: managed NAT gateways, or t4g.nano NAT instances (a fraction of the cost, no AZ redundancy).
   * @default 'gateway'
   */
  readonly natProvider?: 'gateway' | 'instance';
  /**
   * The Amazon Linux 2023 arm64 (Graviton) image the NAT instances run, when natProvider is 'instance'.
   * A fixed image, e.g. `ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-…' })`: an image that
   * resolves to the latest release at deploy time (`MachineImage.latestAmazonLinux2023()`) replaces
   * the NAT instance, and cuts egress, on the first deploy after each Amazon Linux release.
   * @default - required when natProvider is 'instance'
   */
  readonly natInstanceImage?: ec2.IMachineImage;
  /**
   * VPC endpoints to create: `ecr` (api + dkr), `logs`, `secretsmanager` (interface, ~$7/month/AZ each) and `s3` (gateway, free).
   * @default - none
   */
  readonly vpcEndpoints?: readonly VpcEndpointName[];
  /**
   * IPv4 CIDR of the VPC.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Retention of the VPC flow log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Key encrypting the flow log group; its policy must let CloudWatch Logs use it.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the flow log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The environment's VPC: public subnets (load balancer, NAT) and private
 * subnets with egress (tasks) over the given AZs, NAT from config, all traffic
 * logged to a retained, encrypted flow log group, the default security group
 * closed, and optional endpoints that keep image pulls and log writes off the NAT.
 */
export class SlipwayNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** Availability zones in use. */
  public readonly availabilityZones: readonly string[];
  /** Number of NATs (resolved). */
  public readonly natGateways: number;
  /** NAT provider (resolved). */
  public readonly natProvider: 'gateway' | 'instance';
  /** Endpoints created (resolved). */
  public readonly vpcEndpoints: readonly VpcEndpointName[];
  /** The flow log group. */
  public readonly flowLogGroup: logs.LogGroup;
  /** NAT instances' security group, when natProvider is 'instance'. */
  public readonly natSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SlipwayNetworkProps) {
    super(scope, id);
    this.availabilityZones = props.availabilityZones;
    this.natGateways = props.natGateways ?? 1;
    this.natProvider = props.natProvider ?? 'gateway';
    this.vpcEndpoints = props.vpcEndpoints ?? [];
    const cidr = props.cidr ?? '10.0.0.0/16';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.validate(props.natInstanceImage);

    const natInstanceProvider =
      this.natProvider === 'instance' && props.natInstanceImage
        ? ec2.NatProvider.instanceV2({
            // Graviton t4g.nano: ~$3/month against ~$33/month (+ data) for a NAT gateway.
            instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
            machineImage: props.natInstanceImage,
            // Slipway's own set-up, with retries and checks (CDK's default can fail silently: aws-cdk#36717);
            // each instance then gets its copy with its own cfn-signal target (hardenNatInstances).
            userData: ec2.UserData.custom(natInstanceUserData()),
            associatePublicIpAddress: true,
            // Inbound is opened to the VPC's own CIDR below, never to the internet.
            defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
          })
        : undefined;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones: [...this.availabilityZones],
      natGateways: this.natGateways,
      natGatewayProvider: natInstanceProvider ?? ec2.NatProvider.gateway(),
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        // No public IPs by default: only the ALB and NAT live here, and both get theirs explicitly.
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey ?? new EnvironmentKey(this, 'FlowLogsKey').key,
      removalPolicy,
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    acknowledgeInlinePolicy(flowLog.node.findChild('IAMRole'), 'VPC flow log delivery role');

    if (natInstanceProvider) {
      // TCP and UDP only: an "all protocols" rule is flagged by NIST EC2RestrictedCommonPorts.
      natInstanceProvider.connections.allowFrom(
        ec2.Peer.ipv4(cidr),
        ec2.Port.allTcp(),
        'TCP egress from the VPC through NAT',
      );
      natInstanceProvider.connections.allowFrom(
        ec2.Peer.ipv4(cidr),
        ec2.Port.allUdp(),
        'UDP egress from the VPC through NAT',
      );
      this.natSecurityGroup = natInstanceProvider.securityGroup as ec2.SecurityGroup;
      this.hardenNatInstances(natInstanceProvider);
    }
    acknowledgeFindings(this.vpc, {
      id: 'CloudFormation-Validate::W3010',
      reason:
        'Availability zones are fixed in the environment config on purpose, so synth needs no AWS credentials or lookups.',
    });
    this.addEndpoints(cidr);
    this.acknowledgePublicRoutes();
    this.acknowledgeDefaultSecurityGroupProvider();
  }

  /**
   * Harden the NAT instances the provider created (encrypted root volume, IMDSv2 only) and make
   * each one prove it forwards: its user data signals its own CreationPolicy, so a NAT whose set-up
   * failed fails the deployment (and rolls back) instead of leaving the private subnets without egress.
   */
  private hardenNatInstances(provider: ec2.NatInstanceProviderV2): void {
    for (const gateway of provider.configuredGateways) {
      const instance = this.node
        .findAll()
        .find((child) => child instanceof ec2.Instance && child.instanceId === gateway.gatewayId) as
        ec2.Instance | undefined;
      if (!instance) continue;
      const cfnInstance = instance.instance;
      const stack = Stack.of(instance);
      cfnInstance.userData = Fn.base64(
        natInstanceUserData({
          stackName: stack.stackName,
          logicalId: stack.getLogicalId(cfnInstance),
          region: stack.region,
        }),
      );
      cfnInstance.cfnOptions.creationPolicy = {
        resourceSignal: { count: 1, timeout: NAT_INSTANCE_SIGNAL_TIMEOUT },
      };
      cfnInstance.blockDeviceMappings = [
        {
          deviceName: '/dev/xvda',
          ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8, deleteOnTermination: true },
        },
      ];
      cfnInstance.metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 };
      acknowledgeFindings(
        instance,
        {
          id: 'AwsSolutions-EC28',
          reason:
            'NAT instance: detailed monitoring costs more than the instance; basic 5-minute metrics are enough for a dev NAT.',
        },
        {
          id: 'AwsSolutions-EC29',
          reason:
            "NAT instance: CloudFormation replaces it when the settings' AMI changes (network.natInstance.amiId) and deletes it with the stack; termination protection would make that replacement and the stack's deletion fail.",
        },
        {
          id: 'NIST.800.53.R5-EC2InstanceNoPublicIp',
          reason:
            'A NAT instance needs a public IP to forward private-subnet egress to the internet; inbound is limited to the VPC CIDR.',
        },
        {
          id: 'NIST.800.53.R5-EC2InstancesInVPC',
          reason:
            'The NAT instance is in a public subnet of this VPC through its network interface (NetworkInterfaces.SubnetId), which the rule does not read.',
        },
        {
          id: 'CloudFormation-Validate::W9010',
          reason:
            "The AMI id is deliberately fixed in the environment's settings (network.natInstance.amiId) for the environment's one region; a parameter resolved at deploy time would replace the NAT on every Amazon Linux release.",
        },
        {
          id: 'NIST.800.53.R5-EC2InstanceDetailedMonitoringEnabled',
          reason:
            'NAT instance: detailed monitoring costs more than the instance; basic 5-minute metrics are enough for a dev NAT.',
        },
      );
    }
  }

  /** Public subnets exist to route to the internet gateway: the NAT (and an ALB, when there is one) need it. */
  private acknowledgePublicRoutes(): void {
    for (const subnet of this.vpc.publicSubnets) {
      acknowledgeFindings(subnet, {
        id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        reason:
          'Public subnet: holds only the NAT and, with the load-balancer ingress, the internet-facing ALB; both need the default route to the internet gateway. Tasks run in private subnets.',
      });
    }
  }

  private addEndpoints(cidr: string): void {
    const privateSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const interfaceEndpoints: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [];
    for (const endpoint of this.vpcEndpoints) {
      switch (endpoint) {
        case 'ecr':
          interfaceEndpoints.push(
            ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
            ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
          );
          break;
        case 'logs':
          interfaceEndpoints.push(['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS]);
          break;
        case 'secretsmanager':
          interfaceEndpoints.push(['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER]);
          break;
        case 's3':
          // ECR stores image layers in S3: the gateway endpoint keeps pulls off the NAT for free.
          this.vpc.addGatewayEndpoint('S3', {
            service: ec2.GatewayVpcEndpointAwsService.S3,
            subnets: [privateSubnets],
          });
          break;
      }
    }
    if (interfaceEndpoints.length === 0) return;
    // One security group for all interface endpoints: HTTPS from inside the VPC only.
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface VPC endpoints: HTTPS from the VPC',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    for (const [endpointId, service] of interfaceEndpoints) {
      this.vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets: privateSubnets,
        privateDnsEnabled: true,
        securityGroups: [endpointSecurityGroup],
        open: false,
      });
    }
  }

  /**
   * `restrictDefaultSecurityGroup` is implemented by a stack-level custom
   * resource provider that this VPC brings in; its findings are this
   * construct's to explain.
   */
  private acknowledgeDefaultSecurityGroupProvider(): void {
    const provider = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (!provider || provider.node.metadata.some((entry) => entry.type === 'aws:cdk:acknowledged-rules')) return;
    acknowledgeFindings(provider, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK-provided handler that closes the default security group; the AWS managed basic execution role only lets it write its own logs.',
    });
  }

  private validate(natInstanceImage: ec2.IMachineImage | undefined): void {
    const fix = 'Set natGateways between 1 and the number of availabilityZones.';
    if (this.natProvider === 'instance' && !natInstanceImage) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'natInstanceImage',
        value: natInstanceImage,
        problem: "is required when natProvider is 'instance'",
        fix: "Pass a fixed Amazon Linux 2023 arm64 image, e.g. ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-…' }) with the id from `aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --query Parameter.Value --output text`.",
      });
    }
    if (this.availabilityZones.length === 0) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'availabilityZones',
        value: this.availabilityZones,
        problem: 'must list at least one zone',
        fix: "List e.g. ['eu-west-1a'].",
      });
    }
    if (
      !Token.isUnresolved(this.natGateways) &&
      (this.natGateways < 1 || this.natGateways > this.availabilityZones.length)
    ) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'natGateways',
        value: this.natGateways,
        problem: `must be between 1 and ${this.availabilityZones.length}`,
        fix: fix,
      });
    }
  }
}
