import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SlipwayNetwork } from '../../src/network';
import { TestStack } from '../fixtures/stacks';

const NAT_IMAGE = ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0a1b2c3d4e5f67890' });

describe('SlipwayNetwork', () => {
  describe('GIVEN a NAT instance and no endpoints', () => {
    let template: Template;
    let network: SlipwayNetwork;
    beforeAll(() => {
      const stack = new TestStack();
      network = new SlipwayNetwork(stack, 'Network', {
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        natProvider: 'instance',
        natInstanceImage: NAT_IMAGE,
        flowLogRetention: logs.RetentionDays.ONE_WEEK,
      });
      template = Template.fromStack(stack);
    });

    test('THEN the NAT instance runs exactly the configured image, with no lookup of the latest one', () => {
      // An SSM-parameter image (latestAmazonLinux2023) resolves on every deploy, so each new AL2023
      // release changed ImageId, which replaces an AWS::EC2::Instance (CloudFormation: update requires replacement).
      template.hasResourceProperties('AWS::EC2::Instance', { ImageId: 'ami-0a1b2c3d4e5f67890' });
      const parameters = Object.values(template.toJSON().Parameters ?? {}) as Array<{ Default?: string }>;
      expect(
        parameters.map((parameter) => parameter.Default).filter((name) => name?.startsWith('/aws/service/')),
      ).toEqual([]);
    });

    test("THEN the NAT runs Slipway's set-up script and CloudFormation waits for it to report that it forwards", () => {
      const instances = template.findResources('AWS::EC2::Instance');
      const [[logicalId, instance]] = Object.entries(instances);
      // CreationPolicy: the resource is CREATE_COMPLETE only after 1 success signal within 15 minutes.
      expect(instance.CreationPolicy).toEqual({ ResourceSignal: { Count: 1, Timeout: 'PT15M' } });
      const userData: string = instance.Properties.UserData['Fn::Base64'];
      expect(userData).toContain('retry 8 5 dnf install -y iptables-services');
      expect(userData).toContain('ip -o -4 route show default');
      expect(userData).not.toContain('eth0');
      expect(userData).toContain('"$CFN_SIGNAL" -e "$code" --stack "$SIGNAL_STACK" --resource "$SIGNAL_RESOURCE"');
      expect(userData).toContain("SIGNAL_STACK='Test'");
      expect(userData).toContain(`SIGNAL_RESOURCE='${logicalId}'`);
    });

    test('THEN public and private subnets span the given zones, none assigning public IPs', () => {
      template.resourceCountIs('AWS::EC2::Subnet', 4);
      template.resourcePropertiesCountIs(
        'AWS::EC2::Subnet',
        { AvailabilityZone: 'eu-west-1a', MapPublicIpOnLaunch: false },
        2,
      );
      template.resourcePropertiesCountIs(
        'AWS::EC2::Subnet',
        { AvailabilityZone: 'eu-west-1b', MapPublicIpOnLaunch: false },
        2,
      );
    });

    test('THEN one hardened Graviton NAT instance gives egress: IMDSv2 only, encrypted root volume', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.hasResourceProperties('AWS::EC2::Instance', {
        InstanceType: 't4g.nano',
        SourceDestCheck: false,
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3' }) },
        ],
        NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true })],
      });
      expect(network.natProvider).toBe('instance');
    });

    test('THEN the NAT accepts TCP and UDP from the VPC CIDR only', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'Security Group for NAT instances',
        SecurityGroupIngress: [
          Match.objectLike({ CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 0, ToPort: 65535 }),
          Match.objectLike({ CidrIp: '10.0.0.0/16', IpProtocol: 'udp', FromPort: 0, ToPort: 65535 }),
        ],
      });
    });

    test('THEN all traffic is logged to a KMS-encrypted, retained flow log group', () => {
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 7, KmsKeyId: Match.anyValue() },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('THEN the default security group is closed', () => {
      template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    });

    test('THEN no endpoints are created', () => {
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    });
  });

  describe('GIVEN NAT gateways per AZ and every endpoint', () => {
    let template: Template;
    beforeAll(() => {
      const stack = new TestStack();
      new SlipwayNetwork(stack, 'Network', {
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        natGateways: 2,
        cidr: '10.20.0.0/16',
        vpcEndpoints: ['ecr', 'logs', 'secretsmanager', 's3'],
      });
      template = Template.fromStack(stack);
    });

    test('THEN each AZ has its own NAT gateway', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 2);
      template.resourceCountIs('AWS::EC2::Instance', 0);
      template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
    });

    test('THEN ECR (api + dkr), Logs and Secrets Manager get private interface endpoints and S3 a gateway endpoint', () => {
      for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager']) {
        template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
          ServiceName: `com.amazonaws.eu-west-1.${service}`,
          VpcEndpointType: 'Interface',
          PrivateDnsEnabled: true,
        });
      }
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: Match.objectLike({}),
      });
    });

    test('THEN endpoints accept HTTPS from the VPC only', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'Interface VPC endpoints: HTTPS from the VPC',
        SecurityGroupIngress: [
          Match.objectLike({ CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
        ],
      });
    });
  });

  test('GIVEN a NAT instance without an image THEN it is refused', () => {
    expect(
      () =>
        new SlipwayNetwork(new TestStack(), 'Network', {
          availabilityZones: ['eu-west-1a'],
          natProvider: 'instance',
        }),
    ).toThrow(
      /Test\/Network: natInstanceImage is required when natProvider is 'instance'; got nothing\. .*al2023-ami-kernel-default-arm64/,
    );
  });

  test('GIVEN no zones THEN it is refused', () => {
    expect(() => new SlipwayNetwork(new TestStack(), 'Network', { availabilityZones: [] })).toThrow(
      /Test\/Network: availabilityZones must list at least one zone/,
    );
  });

  test('GIVEN more NATs than zones THEN it is refused', () => {
    expect(
      () => new SlipwayNetwork(new TestStack(), 'Network', { availabilityZones: ['eu-west-1a'], natGateways: 2 }),
    ).toThrow(/natGateways must be between 1 and 1; got 2/);
  });
});
