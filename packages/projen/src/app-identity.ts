import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project, SampleFile } from 'projen';
import { SlipwayOptionsError } from './errors';
import { addSamples } from './samples';

/** The app's identity options of SlipwayProjectOptions (documented there, where jsii and `projen new` read them). */
export interface AppIdentityOptions {
  readonly appName?: string;
  readonly sourceRepository?: string;
  readonly awsRegion?: string;
  readonly devAccount?: string;
  readonly prodAccount?: string;
  readonly pipelineAccount?: string;
  readonly prodDomain?: string;
}

/** The resolved identity: every value the sample environments and the runbook are written with. */
export interface AppIdentity {
  readonly appName: string;
  readonly repository: string;
  readonly region: string;
  readonly devAccount: string;
  readonly prodAccount: string;
  readonly pipelineAccount: string;
  readonly prodDomain: string;
  readonly prodHostedZone: string;
  /** The time zone of dev's awake hours (`schedule.timezone`): the region's, until the team puts its own. */
  readonly timezone: string;
}

/**
 * A time zone for each AWS region's city, for dev's sample schedule: a team in the region more likely keeps its hours
 * than Dublin's. IANA's canonical names, which Application Auto Scaling takes; a region not listed gets UTC.
 */
export const REGION_TIME_ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'America/New_York',
  'us-east-2': 'America/New_York',
  'us-west-1': 'America/Los_Angeles',
  'us-west-2': 'America/Los_Angeles',
  'ca-central-1': 'America/Toronto',
  'ca-west-1': 'America/Edmonton',
  'mx-central-1': 'America/Mexico_City',
  'sa-east-1': 'America/Sao_Paulo',
  'eu-west-1': 'Europe/Dublin',
  'eu-west-2': 'Europe/London',
  'eu-west-3': 'Europe/Paris',
  'eu-central-1': 'Europe/Berlin',
  'eu-central-2': 'Europe/Zurich',
  'eu-north-1': 'Europe/Stockholm',
  'eu-south-1': 'Europe/Rome',
  'eu-south-2': 'Europe/Madrid',
  'il-central-1': 'Asia/Jerusalem',
  'me-south-1': 'Asia/Bahrain',
  'me-central-1': 'Asia/Dubai',
  'af-south-1': 'Africa/Johannesburg',
  'ap-east-1': 'Asia/Hong_Kong',
  'ap-south-1': 'Asia/Kolkata',
  'ap-south-2': 'Asia/Kolkata',
  'ap-southeast-1': 'Asia/Singapore',
  'ap-southeast-2': 'Australia/Sydney',
  'ap-southeast-3': 'Asia/Jakarta',
  'ap-southeast-4': 'Australia/Melbourne',
  'ap-southeast-5': 'Asia/Kuala_Lumpur',
  'ap-southeast-7': 'Asia/Bangkok',
  'ap-northeast-1': 'Asia/Tokyo',
  'ap-northeast-2': 'Asia/Seoul',
  'ap-northeast-3': 'Asia/Tokyo',
};

/** The longest app name; infra refuses longer ones too (`APP_NAME_MAX_LENGTH` in packages/infra). */
const APP_NAME_MAX = 40;
const APP_NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The app's identity from the options, with defaults, each checked.
 *
 * @throws SlipwayOptionsError naming the option, the value and the fix
 */
export function resolveAppIdentity(projectName: string, options: AppIdentityOptions): AppIdentity {
  const appName = options.appName ?? defaultAppName(projectName);
  if (!(APP_NAME.test(appName) && appName.length <= APP_NAME_MAX)) {
    throw new SlipwayOptionsError(
      'appName',
      appName,
      `Use 2 to ${APP_NAME_MAX} lowercase letters, digits or hyphens, starting with a letter, e.g. "my-shop" (\`projen new --from @slipway/projen --app-name my-shop\`): it names the stacks.`,
    );
  }
  const repository = options.sourceRepository ?? `example-org/${appName}`;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new SlipwayOptionsError(
      'sourceRepository',
      repository,
      'Use "owner/name" as on the repository host, e.g. "acme/shop".',
    );
  }
  const region = options.awsRegion ?? 'eu-west-1';
  if (!REGION.test(region)) {
    throw new SlipwayOptionsError('awsRegion', region, 'Use an AWS region code, e.g. "eu-west-1" or "us-east-2".');
  }
  const account = (option: 'devAccount' | 'prodAccount' | 'pipelineAccount', fallback: string) => {
    const value = options[option] ?? fallback;
    if (!/^\d{12}$/.test(value)) {
      throw new SlipwayOptionsError(option, value, 'Use the 12-digit AWS account id (`aws sts get-caller-identity`).');
    }
    return value;
  };
  const devAccount = account('devAccount', '111111111111');
  const prodAccount = account('prodAccount', '222222222222');
  const pipelineAccount = account('pipelineAccount', devAccount);
  const prodDomain = options.prodDomain ?? `${appName}.example.com`;
  if (!DOMAIN.test(prodDomain)) {
    throw new SlipwayOptionsError('prodDomain', prodDomain, 'Use a lowercase domain name such as "shop.acme.io".');
  }
  const labels = prodDomain.split('.');
  const prodHostedZone = labels.length > 2 ? labels.slice(1).join('.') : prodDomain;
  const timezone = REGION_TIME_ZONES[region] ?? 'UTC';
  return {
    appName,
    repository,
    region,
    devAccount,
    prodAccount,
    pipelineAccount,
    prodDomain,
    prodHostedZone,
    timezone,
  };
}

/** `@acme/My_Shop` → `my-shop`. */
function defaultAppName(projectName: string): string {
  return projectName
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
}

/** One replacement in a sample environments file: what this repository's file says, and what the app's says. */
interface Substitution {
  readonly find: string | RegExp;
  readonly replace: string;
}

/**
 * How this repository's own environments/ (app `slipway`, repository `slipway-dev/slipway`, eu-west-1, the
 * placeholder accounts) become the new app's. Every rule must match: a change to those files that one no
 * longer fits fails here, not in a user's project.
 */
function substitutions(identity: AppIdentity): Record<string, Substitution[]> {
  const region = { find: /eu-west-1/g, replace: identity.region };
  return {
    'index.ts': [
      { find: "export const appName = 'slipway';", replace: `export const appName = '${identity.appName}';` },
      { find: "repository: 'slipway-dev/slipway',", replace: `repository: '${identity.repository}',` },
      { find: /`slipway-(dev|prod|pipeline)`/g, replace: `\`${identity.appName}-$1\`` },
      { find: /111111111111/g, replace: identity.pipelineAccount },
      region,
    ],
    'dev.ts': [
      { find: /111111111111/g, replace: identity.devAccount },
      // Cloud Map namespaces carry the app's name, as Copilot's do: <env>.<app>.local.
      { find: /\bdev\.local\b/g, replace: `dev.${identity.appName}.local` },
      // The sample schedule's awake hours, in the region's time zone.
      { find: /Europe\/Dublin/g, replace: identity.timezone },
      region,
    ],
    'prod.ts': [
      { find: /222222222222/g, replace: identity.prodAccount },
      { find: /\bprod\.local\b/g, replace: `prod.${identity.appName}.local` },
      { find: "domainName: 'app.example.com'", replace: `domainName: '${identity.prodDomain}'` },
      { find: "hostedZoneName: 'example.com'", replace: `hostedZoneName: '${identity.prodHostedZone}'` },
      region,
    ],
  };
}

/** The sample environments file `file` (its text from this repository) written for the app. */
export function environmentSample(file: string, text: string, identity: AppIdentity): string {
  let result = text;
  for (const { find, replace } of substitutions(identity)[file] ?? []) {
    const found = typeof find === 'string' ? result.includes(find) : new RegExp(find.source).test(result);
    if (!found) {
      throw new Error(
        `@slipway/projen: the sample environments/${file} no longer contains ${String(find)}; update substitutions() in src/app-identity.ts to match it.`,
      );
    }
    result = typeof find === 'string' ? result.split(find).join(replace) : result.replace(find, replace);
  }
  return result;
}

/**
 * Writes environments/ once, from the sample, with the app's identity in it. Running from source in the
 * Slipway repository (no samples copied yet), the folder is already there: addSamples handles that case.
 */
export function addEnvironmentSamples(project: Project, sourceDir: string, identity: AppIdentity): void {
  if (!fs.existsSync(sourceDir)) {
    addSamples(project, sourceDir, 'environments');
    return;
  }
  for (const file of fs.readdirSync(sourceDir)) {
    const text = fs.readFileSync(path.join(sourceDir, file), 'utf8');
    new SampleFile(project, path.posix.join('environments', file), {
      contents: environmentSample(file, text, identity),
    });
  }
}
