import { SlipwayConfigError, defineEnvironment, parseEnvironmentConfig } from '../../src/config';
import { devHttpApi, devLike, prodLike, variant } from '../fixtures/environments';

const FILE = 'environments/prod.ts';

describe('parseEnvironmentConfig', () => {
  test('GIVEN dev-like and prod-like settings WHEN parsed THEN they come back unchanged', () => {
    expect(parseEnvironmentConfig(devLike, 'environments/dev.ts')).toEqual(devLike);
    expect(parseEnvironmentConfig(prodLike, FILE)).toEqual(prodLike);
  });

  test('GIVEN an imported certificate WHEN parsed THEN it is accepted without a hosted zone', () => {
    const config = variant(prodLike, (c) => {
      c.https = {
        domainName: 'app.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/abc-123',
      };
    });
    expect(() => parseEnvironmentConfig(config, FILE)).not.toThrow();
  });

  test('GIVEN the HTTP API ingress, with throttling and a custom domain WHEN parsed THEN it is accepted', () => {
    expect(parseEnvironmentConfig(devHttpApi, 'environments/dev.ts')).toEqual(devHttpApi);
    const config = variant(prodLike, (c) => {
      c.ingress = { type: 'http-api', throttle: { rateLimit: 200, burstLimit: 400 } };
      delete c.waf;
      for (const service of Object.values<any>(c.services)) delete service.autoscaling.requestsPerTarget;
    });
    expect(() => parseEnvironmentConfig(config, FILE)).not.toThrow();
  });

  test('GIVEN an autoscaled service without desiredCount WHEN parsed THEN it is accepted: autoscaling.min is the floor', () => {
    const config = variant(prodLike, (c) => {
      delete c.services.backend.desiredCount;
      delete c.services.frontend.desiredCount;
    });
    expect(parseEnvironmentConfig(config, FILE).services.backend.desiredCount).toBeUndefined();
  });

  test('GIVEN https as a union WHEN parsed THEN each form comes back with only its own fields', () => {
    const imported = parseEnvironmentConfig(
      variant(prodLike, (c) => {
        c.https = {
          domainName: 'app.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/abc',
        };
      }),
      FILE,
    ).https;
    expect(imported).toEqual({
      domainName: 'app.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/abc',
    });
    expect(parseEnvironmentConfig(prodLike, FILE).https).toEqual(prodLike.https);
  });

  test('GIVEN a bad value WHEN parsed THEN the error is a SlipwayConfigError naming file, field, value and fix', () => {
    const config = variant(prodLike, (c) => {
      c.services.backend.desiredCount = 1;
      c.services.backend.autoscaling = undefined;
    });
    let error: unknown;
    try {
      parseEnvironmentConfig(config, FILE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SlipwayConfigError);
    expect((error as SlipwayConfigError).message).toBe(
      'environments/prod.ts: services.backend.desiredCount must be ≥ 2 when highAvailability is on; got 1. Raise desiredCount or turn highAvailability off.',
    );
    expect((error as SlipwayConfigError).issues).toEqual([
      expect.objectContaining({ field: 'services.backend.desiredCount', value: 1 }),
    ]);
  });

  test('GIVEN several problems WHEN parsed THEN all are reported at once', () => {
    const config = variant(prodLike, (c) => {
      c.services.backend.desiredCount = 1;
      c.services.frontend.capacity = 'spot';
    });
    expect(() => parseEnvironmentConfig(config, FILE)).toThrow(/backend\.desiredCount[\s\S]*frontend\.capacity/);
  });

  // One case per validation rule: the config, then the message it must fail with.
  const invalid: Array<[string, unknown, RegExp]> = [
    [
      'account not 12 digits',
      variant(prodLike, (c) => {
        c.account = '1234';
      }),
      /prod\.ts: account must be a 12-digit AWS account id; got "1234"\. Use the Account value/,
    ],
    [
      'account as a number',
      variant(prodLike, (c) => {
        c.account = 222222222222;
      }),
      /account must be a string; got 222222222222\. Quote the account id/,
    ],
    [
      'unknown region',
      variant(prodLike, (c) => {
        c.region = 'europe';
      }),
      /region must be an AWS region code; got "europe"/,
    ],
    [
      'bad environment name',
      variant(prodLike, (c) => {
        c.name = 'Prod_1';
      }),
      /name must be lowercase letters, digits and hyphens/,
    ],
    [
      'zone outside the region',
      variant(prodLike, (c) => {
        c.availabilityZones[2] = 'us-east-1a';
      }),
      /availabilityZones\.2 must be a zone of region eu-west-1; got "us-east-1a"/,
    ],
    [
      'duplicate zone',
      variant(prodLike, (c) => {
        c.availabilityZones[2] = 'eu-west-1a';
      }),
      /availabilityZones must not list a zone twice/,
    ],
    [
      'no zones',
      variant(devLike, (c) => {
        c.availabilityZones = [];
      }),
      /availabilityZones must list at least one availability zone/,
    ],
    [
      'maxAzs above listed zones',
      variant(devLike, (c) => {
        c.network.maxAzs = 3;
      }),
      /network\.maxAzs must be ≤ the 2 zone\(s\) listed in availabilityZones; got 3/,
    ],
    [
      'more NATs than AZs',
      variant(devLike, (c) => {
        c.network.natGateways = 2;
        c.network.maxAzs = 1;
      }),
      /network\.natGateways must be ≤ network\.maxAzs \(1\)/,
    ],
    [
      'no NAT',
      variant(devLike, (c) => {
        c.network.natGateways = 0;
      }),
      /network\.natGateways must be ≥ 1; got 0\. Private subnets need a NAT/,
    ],
    [
      'unknown NAT provider',
      variant(devLike, (c) => {
        c.network.natProvider = 'nat-box';
      }),
      /network\.natProvider must be 'gateway' or 'instance'; got "nat-box"/,
    ],
    [
      'malformed NAT instance AMI id',
      variant(devLike, (c) => {
        c.network.natInstance = { amiId: 'ami-12345' };
      }),
      /network\.natInstance\.amiId must be an AMI id: 'ami-' and 8 or 17 lowercase hexadecimal digits; got "ami-12345"\. Copy it from `aws ssm get-parameter --name \/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-arm64/,
    ],
    [
      'NAT instance without an image',
      variant(devLike, (c) => {
        delete c.network.natInstance;
      }),
      /network\.natInstance is required when natProvider is 'instance'; got nothing\. Add natInstance: \{ amiId: '<id>' \} with the id printed by `aws ssm get-parameter --name \/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-arm64 --region eu-west-1 --query Parameter\.Value --output text`/,
    ],
    [
      'NAT instance image with NAT gateways',
      variant(prodLike, (c) => {
        c.network.natInstance = { amiId: 'ami-0a1b2c3d4e5f67890' };
      }),
      /network\.natInstance must be absent unless natProvider is 'instance'; got \{"amiId":"ami-0a1b2c3d4e5f67890"\}\. NAT gateways have no image/,
    ],
    [
      'unknown endpoint',
      variant(prodLike, (c) => {
        c.network.vpcEndpoints = ['ecr', 'dynamodb'];
      }),
      /network\.vpcEndpoints\.1 must be one of 'ecr', 'logs', 'secretsmanager', 's3'; got "dynamodb"/,
    ],
    [
      'duplicate endpoint',
      variant(prodLike, (c) => {
        c.network.vpcEndpoints = ['ecr', 'ecr'];
      }),
      /network\.vpcEndpoints must not list an endpoint twice/,
    ],
    [
      'CIDR too small',
      variant(prodLike, (c) => {
        c.network.cidr = '10.0.0.0/28';
      }),
      /network\.cidr must be an IPv4 CIDR from \/16 to \/24; got "10\.0\.0\.0\/28"/,
    ],
    [
      'HA with one AZ',
      variant(prodLike, (c) => {
        c.availabilityZones = ['eu-west-1a'];
        c.network.maxAzs = 1;
        c.network.natGateways = 1;
      }),
      /network\.maxAzs must be ≥ 2 when highAvailability is on; got 1/,
    ],
    [
      'HA with a NAT instance',
      variant(prodLike, (c) => {
        c.network.natProvider = 'instance';
      }),
      /network\.natProvider must be 'gateway' when highAvailability is on/,
    ],
    [
      'HA with fewer NATs than AZs',
      variant(prodLike, (c) => {
        c.network.natGateways = 1;
      }),
      /network\.natGateways must equal network\.maxAzs \(3\) when highAvailability is on; got 1\. Set natGateways to 3/,
    ],
    [
      'HA with one task',
      variant(prodLike, (c) => {
        c.services.frontend.desiredCount = 1;
        c.services.frontend.autoscaling = undefined;
      }),
      /services\.frontend\.desiredCount must be ≥ 2 when highAvailability is on; got 1/,
    ],
    [
      'HA on Spot only',
      variant(prodLike, (c) => {
        c.services.frontend.capacity = 'spot';
      }),
      /services\.frontend\.capacity must not be 'spot' when highAvailability is on; got "spot"\. ECS does not fall back to on-demand/,
    ],
    [
      'HA with no on-demand base',
      variant(prodLike, (c) => {
        c.services.backend.capacity = { onDemandBase: 0, spotWeight: 1 };
      }),
      /services\.backend\.capacity\.onDemandBase must be ≥ 1 when highAvailability is on; got 0/,
    ],
    [
      'Spot weight zero',
      variant(devLike, (c) => {
        c.services.backend.capacity = { onDemandBase: 1, spotWeight: 0 };
      }),
      /services\.backend\.capacity\.spotWeight must be ≥ 1; got 0/,
    ],
    [
      'unknown capacity',
      variant(devLike, (c) => {
        c.services.backend.capacity = 'cheap';
      }),
      /services\.backend\.capacity must be 'spot', 'on-demand' or \{ onDemandBase, spotWeight \}; got "cheap"/,
    ],
    [
      'invalid Fargate size',
      variant(devLike, (c) => {
        c.services.backend.memoryMiB = 4096;
      }),
      /services\.backend\.memoryMiB must be a Fargate task size together with cpu; got \{"cpu":256,"memoryMiB":4096\}\. Fargate accepts only fixed pairs: with cpu 256 memoryMiB must be one of 512, 1024, 2048/,
    ],
    [
      'invalid Fargate CPU',
      variant(devLike, (c) => {
        c.services.backend.cpu = 300;
      }),
      /valid cpu values are 256, 512, 1024, 2048, 4096, 8192, 16384/,
    ],
    [
      'zero desired tasks',
      variant(devLike, (c) => {
        c.services.backend.desiredCount = 0;
      }),
      /services\.backend\.desiredCount must be ≥ 1; got 0/,
    ],
    [
      'no desiredCount and no autoscaling',
      variant(devLike, (c) => {
        delete c.services.backend.desiredCount;
      }),
      /services\.backend\.desiredCount is required unless autoscaling is set; got nothing\. Set how many tasks run/,
    ],
    [
      'autoscaling max below min',
      variant(prodLike, (c) => {
        c.services.backend.autoscaling.max = 1;
      }),
      /services\.backend\.autoscaling\.max must be ≥ autoscaling\.min \(2\); got 1/,
    ],
    [
      'autoscaling min zero',
      variant(devLike, (c) => {
        c.services.backend.autoscaling = { min: 0, max: 2, cpuTargetPercent: 60 };
      }),
      /services\.backend\.autoscaling\.min must be ≥ 1; got 0/,
    ],
    [
      'HA autoscaling down to one',
      variant(prodLike, (c) => {
        c.services.backend.autoscaling.min = 1;
      }),
      /services\.backend\.autoscaling\.min must be ≥ 2 when highAvailability is on; got 1/,
    ],
    [
      'desired outside autoscaling range',
      variant(prodLike, (c) => {
        c.services.backend.desiredCount = 8;
        c.services.backend.capacity = 'on-demand';
      }),
      /services\.backend\.desiredCount must be between autoscaling\.min \(2\) and autoscaling\.max \(6\); got 8/,
    ],
    [
      'CPU target out of range',
      variant(prodLike, (c) => {
        c.services.backend.autoscaling.cpuTargetPercent = 95;
      }),
      /services\.backend\.autoscaling\.cpuTargetPercent must be between 10 and 90; got 95/,
    ],
    [
      'memory target out of range',
      variant(prodLike, (c) => {
        c.services.backend.autoscaling.memoryTargetPercent = 95;
      }),
      /services\.backend\.autoscaling\.memoryTargetPercent must be between 10 and 90; got 95/,
    ],
    [
      'no services',
      variant(devLike, (c) => {
        c.services = {};
      }),
      /services must define at least one service/,
    ],
    [
      'service name not a DNS label',
      variant(devLike, (c) => {
        c.services.Back_End = c.services.backend;
      }),
      /services\.Back_End must be a lowercase DNS label/,
    ],
    [
      'https without a domain',
      variant(prodLike, (c) => {
        delete c.https.domainName;
      }),
      /https\.domainName is required when https is set; got nothing/,
    ],
    [
      'https with neither zone nor certificate',
      variant(prodLike, (c) => {
        c.https = { domainName: 'app.example.com' };
      }),
      /https must name a hosted zone \(hostedZoneId \+ hostedZoneName\) or an existing certificateArn/,
    ],
    [
      'https with both zone and certificate',
      variant(prodLike, (c) => {
        c.https.certificateArn = 'arn:aws:acm:eu-west-1:222222222222:certificate/abc';
      }),
      /https must use either hostedZoneId \+ hostedZoneName or certificateArn, not both/,
    ],
    [
      'https with half a zone',
      variant(prodLike, (c) => {
        delete c.https.hostedZoneName;
      }),
      /https\.hostedZoneName is required together with the other hosted zone field/,
    ],
    [
      'domain outside the zone',
      variant(prodLike, (c) => {
        c.https.domainName = 'app.example.org';
      }),
      /https\.domainName must be example\.com or a name under it; got "app\.example\.org"/,
    ],
    [
      'bad hosted zone id',
      variant(prodLike, (c) => {
        c.https.hostedZoneId = 'example.com';
      }),
      /https\.hostedZoneId must be a Route 53 hosted zone id/,
    ],
    [
      'certificate in another region',
      variant(prodLike, (c) => {
        c.https = {
          domainName: 'app.example.com',
          certificateArn: 'arn:aws:acm:us-east-1:222222222222:certificate/abc',
        };
      }),
      /https\.certificateArn must be a certificate in the environment's region \(eu-west-1\)/,
    ],
    [
      'alarm topic in another region',
      variant(prodLike, (c) => {
        c.alarms = { topicArn: 'arn:aws:sns:us-east-1:222222222222:chat-alerts' };
      }),
      /alarms\.topicArn must be a topic in the environment's region \(eu-west-1\); got "arn:aws:sns:us-east-1:222222222222:chat-alerts"\. CloudWatch alarms notify SNS topics of their own region only/,
    ],
    [
      'log retention CloudWatch does not offer',
      variant(devLike, (c) => {
        c.logRetentionDays = 10;
      }),
      /logRetentionDays must be a CloudWatch Logs retention period; got 10\. Use one of 1, 3, 5, 7, 14, 30/,
    ],
    [
      'bad namespace',
      variant(devLike, (c) => {
        c.serviceDiscovery.namespace = 'local';
      }),
      /serviceDiscovery\.namespace must be a DNS domain name; got "local"/,
    ],
    [
      'bad alarm email',
      variant(prodLike, (c) => {
        c.alarms.email = 'oncall';
      }),
      /alarms\.email must be an email address; got "oncall"/,
    ],
    [
      'bad alarm topic',
      variant(prodLike, (c) => {
        c.alarms.topicArn = 'my-topic';
      }),
      /alarms\.topicArn must be an SNS topic ARN; got "my-topic"/,
    ],
    [
      'missing required setting',
      variant(devLike, (c) => {
        delete c.containerInsights;
      }),
      /containerInsights is required \(a boolean\); got nothing\. Add it/,
    ],
    [
      'unknown ingress type',
      variant(devLike, (c) => {
        c.ingress = { type: 'cloudfront' };
      }),
      /ingress\.type must be 'load-balancer' or 'http-api'; got "cloudfront"\. Use \{ type: 'http-api' \} for a cheap dev environment/,
    ],
    [
      'throttle rate out of range',
      variant(devHttpApi, (c) => {
        c.ingress.throttle = { rateLimit: 0, burstLimit: 10 };
      }),
      /ingress\.throttle\.rateLimit must be between 1 and 10000 requests per second; got 0/,
    ],
    [
      'throttle burst not whole',
      variant(devHttpApi, (c) => {
        c.ingress.throttle = { rateLimit: 10, burstLimit: 2.5 };
      }),
      /ingress\.throttle\.burstLimit must be a whole number; got 2\.5/,
    ],
    [
      'throttle on the load balancer',
      variant(devLike, (c) => {
        c.ingress = { type: 'load-balancer', throttle: { rateLimit: 10, burstLimit: 20 } };
      }),
      /ingress\.throttle is not a known setting/,
    ],
    [
      'HTTP API without service discovery',
      variant(devHttpApi, (c) => {
        delete c.serviceDiscovery;
      }),
      /prod\.ts: serviceDiscovery is required when ingress is 'http-api'; got nothing\. The HTTP API reaches the tasks through their Cloud Map names/,
    ],
    [
      'HTTP API with WAF',
      variant(devHttpApi, (c) => {
        c.waf = true;
      }),
      /waf must be false or absent when ingress is 'http-api'; got true\. AWS WAF cannot be attached to an API Gateway HTTP API/,
    ],
    [
      'HTTP API with requests-per-target scaling',
      variant(devHttpApi, (c) => {
        c.services.backend.autoscaling = { min: 1, max: 2, cpuTargetPercent: 60, requestsPerTarget: 500 };
      }),
      /services\.backend\.autoscaling\.requestsPerTarget must be absent when ingress is 'http-api'; got 500\. Requests per target is an ALB metric/,
    ],
    [
      'misspelt setting',
      variant(devLike, (c) => {
        c.services.backend.desiredcount = 1;
      }),
      /services\.backend\.desiredcount is not a known setting; got 1\. Remove it or correct its spelling/,
    ],
  ];

  test.each(invalid)('GIVEN %s WHEN parsed THEN it fails with the expected message', (_name, config, message) => {
    expect(() => parseEnvironmentConfig(config, FILE)).toThrow(message);
  });
});

describe('defineEnvironment', () => {
  test('GIVEN no file WHEN a rule fails THEN the message names environments/<name>.ts', () => {
    const config = variant(devLike, (c) => {
      c.logRetentionDays = 10;
    }) as any;
    expect(() => defineEnvironment(config)).toThrow(/^environments\/dev\.ts: logRetentionDays/);
  });

  test('GIVEN valid settings WHEN defined THEN they are returned typed', () => {
    expect(defineEnvironment(devLike).services.backend.capacity).toBe('spot');
  });
});
