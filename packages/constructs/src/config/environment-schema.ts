import { z } from 'zod';
import { serviceEnvironmentSchema, serviceSecretsSchema } from './app-settings-schema';
import { cacheSchema, databaseSchema, usesSchema } from './data-schema';
import { deploymentSchema } from './deployment-schema';
import { EnvironmentConfig, HttpsConfig } from './environment-config';
import { checkEnvironmentRules, NAT_AMI_COMMAND } from './environment-rules';
import { CheckedAgainst, parseSettings, rule } from './parse-settings';
import { scheduleSchema } from './schedule-schema';
import { DNS_LABEL, httpApiThrottleIssues } from './shared-rules';
import { SlipwayConfigError } from './slipway-config-error';

/** CloudWatch Logs accepts only these retention periods, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const email = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, rule('must be an email address', 'Use a full address such as ops@example.org.'));

const autoscalingSchema = z.strictObject({
  min: z
    .number()
    .int(rule('must be a whole number', 'Use an integer such as 2.'))
    .min(1, rule('must be ≥ 1', 'ECS cannot scale a web service to zero tasks here; set min to 1 or more.')),
  max: z
    .number()
    .int(rule('must be a whole number', 'Use an integer such as 4.'))
    .max(100, rule('must be ≤ 100', 'Raise the limit in Slipway deliberately if you really need more than 100 tasks.')),
  cpuTargetPercent: z
    .number()
    .min(10, rule('must be between 10 and 90', 'A common target is 60–70.'))
    .max(90, rule('must be between 10 and 90', 'A common target is 60–70.')),
  memoryTargetPercent: z
    .number()
    .min(10, rule('must be between 10 and 90', 'A common target is 70–80, or leave it out to scale on CPU alone.'))
    .max(90, rule('must be between 10 and 90', 'A common target is 70–80, or leave it out to scale on CPU alone.'))
    .optional(),
  requestsPerTarget: z
    .number()
    .int(rule('must be a whole number', 'Use requests per target per minute, e.g. 1000.'))
    .min(1, rule('must be ≥ 1', 'Use requests per target per minute, e.g. 1000, or leave it out.'))
    .optional(),
  scaleInCooldownSeconds: z
    .number()
    .int()
    .min(0, rule('must be between 0 and 3600', 'A common value is 300.'))
    .max(3600, rule('must be between 0 and 3600', 'A common value is 300.'))
    .optional(),
  scaleOutCooldownSeconds: z
    .number()
    .int()
    .min(0, rule('must be between 0 and 3600', 'A common value is 60.'))
    .max(3600, rule('must be between 0 and 3600', 'A common value is 60.'))
    .optional(),
});

const capacitySchema = z.union(
  [
    z.literal('spot'),
    z.literal('on-demand'),
    z.strictObject({
      onDemandBase: z
        .number()
        .int(rule('must be a whole number', 'Use the count of tasks that must never be on Spot, e.g. 1.'))
        .min(0, rule('must be ≥ 0', 'Use the count of tasks that must never be on Spot, e.g. 1.')),
      spotWeight: z
        .number()
        .int(rule('must be a whole number', 'Use e.g. 1 for an even split above the base.'))
        .min(1, rule('must be ≥ 1', "Use capacity: 'on-demand' if you want no Spot at all.")),
    }),
  ],
  rule(
    "must be 'spot', 'on-demand' or { onDemandBase, spotWeight }",
    "Use 'spot' for dev, { onDemandBase: 2, spotWeight: 1 } or 'on-demand' for prod.",
  ),
);

const serviceSchema = z.strictObject({
  cpu: z.number().int(rule('must be a whole number of CPU units', 'Use 256, 512, 1024, 2048, 4096, 8192 or 16384.')),
  memoryMiB: z.number().int(rule('must be a whole number of MiB', 'Use e.g. 512 or 1024.')),
  desiredCount: z
    .number()
    .int(rule('must be a whole number', 'Use e.g. 1 for dev, 2 for prod.'))
    .min(1, rule('must be ≥ 1', 'Use 1 for dev; remove the service if it should not run.'))
    .optional(),
  capacity: capacitySchema,
  autoscaling: autoscalingSchema.optional(),
  uses: usesSchema,
  environment: serviceEnvironmentSchema,
  secrets: serviceSecretsSchema,
});

/**
 * `https` in either form. The fields are checked one by one, then the object is narrowed to exactly one of the
 * two forms, with a message per missing or conflicting field (a plain zod union would only say "invalid input").
 */
const httpsSchema = z
  .strictObject({
    domainName: z.string().optional(),
    hostedZoneId: z
      .string()
      .regex(
        /^Z[A-Z0-9]{4,32}$/,
        rule('must be a Route 53 hosted zone id', 'Copy it from `aws route53 list-hosted-zones` (it starts with Z).'),
      )
      .optional(),
    hostedZoneName: z.string().optional(),
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        rule('must be an ACM certificate ARN', "Copy it from `aws acm list-certificates` in the environment's region."),
      )
      .optional(),
  })
  .transform((https, context): HttpsConfig => {
    const problem = (path: string[], text: string, fix: string): void => {
      context.issues.push({ code: 'custom', path, message: rule(text, fix).error, input: https });
    };
    const { domainName, hostedZoneId, hostedZoneName, certificateArn } = https;
    const hasZone = hostedZoneId !== undefined || hostedZoneName !== undefined;
    if (!domainName) {
      problem(
        ['domainName'],
        'is required when https is set',
        "Set the site's domain, e.g. domainName: 'app.example.com', or remove https.",
      );
    }
    if (hasZone && certificateArn !== undefined) {
      problem(
        [],
        'must use either hostedZoneId + hostedZoneName or certificateArn, not both',
        'Keep the hosted zone to have Slipway issue the certificate, or keep certificateArn to import yours.',
      );
    } else if (!hasZone && certificateArn === undefined) {
      problem(
        [],
        'must name a hosted zone (hostedZoneId + hostedZoneName) or an existing certificateArn',
        'Add the Route 53 hosted zone of the domain, or the ARN of an ACM certificate for it.',
      );
    } else if (hasZone && (hostedZoneId === undefined || hostedZoneName === undefined)) {
      problem(
        [hostedZoneId === undefined ? 'hostedZoneId' : 'hostedZoneName'],
        'is required together with the other hosted zone field',
        'Set both hostedZoneId and hostedZoneName (from `aws route53 list-hosted-zones`).',
      );
    }
    if (domainName && hostedZoneName && !isWithinZone(domainName, hostedZoneName)) {
      problem(
        ['domainName'],
        `must be ${hostedZoneName} or a name under it`,
        'Use a domain inside the hosted zone, or the hosted zone of the domain.',
      );
    }
    if (!domainName) return z.NEVER;
    if (certificateArn !== undefined && !hasZone) return { domainName, certificateArn };
    if (hostedZoneId !== undefined && hostedZoneName !== undefined && certificateArn === undefined) {
      return { domainName, hostedZoneId, hostedZoneName };
    }
    return z.NEVER;
  });

const ingressSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('load-balancer') }),
    z.strictObject({
      type: z.literal('http-api'),
      throttle: z
        .strictObject({ rateLimit: z.number(), burstLimit: z.number() })
        .superRefine((throttle, context) => {
          for (const issue of httpApiThrottleIssues(throttle)) {
            context.issues.push({
              code: 'custom',
              path: [issue.field],
              message: rule(issue.problem, issue.fix).error,
              input: issue.value,
            });
          }
        })
        .optional(),
    }),
  ],
  rule(
    "must be 'load-balancer' or 'http-api'",
    "Use { type: 'http-api' } for a cheap dev environment, or leave ingress out for the load balancer.",
  ),
);

/**
 * The zod schema for the shape and per-field limits of an environment; the
 * cross-field rules live in `checkEnvironmentRules` so each has a name, a
 * message and a test. Use `parseEnvironmentConfig`, which runs both.
 */
export const environmentShapeSchema = z.strictObject({
  name: z
    .string()
    .regex(
      DNS_LABEL,
      rule(
        'must be lowercase letters, digits and hyphens, starting with a letter, at most 32 characters',
        'Use e.g. dev, staging or prod; it becomes part of resource names.',
      ),
    ),
  account: z
    .string(rule('must be a string', "Quote the account id: account: '123456789012'."))
    .regex(
      /^\d{12}$/,
      rule('must be a 12-digit AWS account id', 'Use the Account value from `aws sts get-caller-identity`, quoted.'),
    ),
  region: z
    .string()
    .regex(
      /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
      rule('must be an AWS region code', 'Use e.g. eu-west-1 or us-east-1.'),
    ),
  availabilityZones: z
    .array(
      z
        .string()
        .regex(
          /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/,
          rule('must be an availability zone name', 'Use e.g. eu-west-1a.'),
        ),
    )
    .min(
      1,
      rule('must list at least one availability zone', "List the zones to use, e.g. ['eu-west-1a', 'eu-west-1b']."),
    ),
  network: z.strictObject({
    maxAzs: z
      .number()
      .int(rule('must be a whole number', 'Use 1 for dev, 2 or 3 for prod.'))
      .min(1, rule('must be ≥ 1', 'Use 1 for dev, 2 or 3 for prod.')),
    natGateways: z
      .number()
      .int(rule('must be a whole number', 'Use 1 for dev, one per AZ for prod.'))
      .min(1, rule('must be ≥ 1', 'Private subnets need a NAT for egress (image pulls, AWS APIs); use 1 for dev.')),
    natProvider: z
      .enum(
        ['gateway', 'instance'],
        rule("must be 'gateway' or 'instance'", "Use 'instance' for a cheap dev NAT, 'gateway' for prod."),
      )
      .optional(),
    natInstance: z
      .strictObject({
        amiId: z
          .string()
          .regex(
            /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/,
            rule(
              "must be an AMI id: 'ami-' and 8 or 17 lowercase hexadecimal digits",
              `Copy it from ${NAT_AMI_COMMAND}.`,
            ),
          ),
      })
      .optional(),
    vpcEndpoints: z
      .array(
        z.enum(
          ['ecr', 'logs', 'secretsmanager', 's3'],
          rule("must be one of 'ecr', 'logs', 'secretsmanager', 's3'", 'Remove the unknown endpoint name.'),
        ),
      )
      .optional(),
    cidr: z
      .string()
      .regex(
        /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/,
        rule('must be an IPv4 CIDR from /16 to /24', "Use e.g. '10.0.0.0/16'."),
      )
      .optional(),
  }),
  services: z.record(
    z
      .string()
      .regex(
        DNS_LABEL,
        rule(
          'must be a lowercase DNS label (letters, digits, hyphens)',
          'Rename the service, e.g. backend or frontend; it becomes a DNS name.',
        ),
      ),
    serviceSchema,
  ),
  serviceDiscovery: z
    .strictObject({
      namespace: z
        .string()
        .regex(
          /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
          rule('must be a DNS domain name', "Use e.g. 'dev.local'."),
        ),
    })
    .optional(),
  ingress: ingressSchema.optional(),
  https: httpsSchema.optional(),
  waf: z.boolean().optional(),
  logRetentionDays: z
    .number()
    .refine(
      (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
      rule('must be a CloudWatch Logs retention period', `Use one of ${LOG_RETENTION_DAYS.join(', ')}.`),
    ),
  containerInsights: z.boolean(),
  deletionProtection: z.boolean(),
  alarms: z
    .strictObject({
      email: email.optional(),
      topicArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/,
          rule('must be an SNS topic ARN', 'Copy it from `aws sns list-topics`.'),
        )
        .optional(),
    })
    .optional(),
  highAvailability: z.boolean(),
  schedule: scheduleSchema.optional(),
  deployment: deploymentSchema.optional(),
  approval: z
    .strictObject({
      required: z.boolean(),
      notifyEmail: email.optional(),
    })
    .optional(),
  database: databaseSchema.optional(),
  cache: cacheSchema.optional(),
});

/**
 * Validate an environment's settings and return them typed.
 *
 * @param value the object exported by an `environments/<name>.ts` file (or read from JSON)
 * @param file where it came from, named in every error message
 * @throws SlipwayConfigError listing every problem, each with file, field, value and fix
 */
export function parseEnvironmentConfig(value: unknown, file: string): EnvironmentConfig {
  const config: CheckedAgainst<EnvironmentConfig, typeof environmentShapeSchema> = parseSettings(
    environmentShapeSchema,
    value,
    { file, typeName: 'EnvironmentConfig' },
  );
  const issues = checkEnvironmentRules(config);
  if (issues.length > 0) throw new SlipwayConfigError(file, issues);
  return config;
}

/**
 * Declare an environment in `environments/<name>.ts`: type-checked by the
 * compiler and validated when the file is loaded, so a bad value fails
 * `cdk synth` before any construct is built.
 *
 * @param config the environment's settings
 * @param file the file named in errors
 * @default file `environments/<config.name>.ts`
 */
export function defineEnvironment(config: EnvironmentConfig, file?: string): EnvironmentConfig {
  return parseEnvironmentConfig(
    config,
    file ?? `environments/${typeof config?.name === 'string' ? config.name : '<unnamed>'}.ts`,
  );
}

function isWithinZone(domain: string, zone: string): boolean {
  const normalizedDomain = domain.replace(/\.$/, '').toLowerCase();
  const normalizedZone = zone.replace(/\.$/, '').toLowerCase();
  return normalizedDomain === normalizedZone || normalizedDomain.endsWith(`.${normalizedZone}`);
}
