import {
  App,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { NagPack, AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { SlipwayConfigError } from '../config/slipway-config-error';

const appsWithChecks = new WeakSet<App>();

/** Options for `enforceSecurityChecks`. */
export interface SecurityChecksOptions {
  /**
   * Print each rule's explanation with its findings.
   * @default false
   */
  readonly verbose?: boolean;
}

/**
 * Run cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs over the whole App,
 * as CDK validation plugins: every stack is checked, those inside Stages
 * (pipeline stages) included, and synth fails on any finding that is not
 * acknowledged on its resource — warnings as well as errors.
 *
 * Call it right after `new App()`; calling it again on the same App does nothing.
 *
 * @throws SlipwayConfigError when `app` is not the App (plugins on a Stage would miss the rest)
 */
export function enforceSecurityChecks(app: App, options: SecurityChecksOptions = {}): void {
  if (!App.isApp(app)) {
    throw SlipwayConfigError.of((app as App)?.node?.path ?? '(unknown)', {
      field: 'app',
      value: (app as App)?.node?.id,
      problem: 'must be the CDK App',
      fix: 'Call enforceSecurityChecks(app) with the App, so every Stage is checked.',
    });
  }
  // A second call would run every rule twice and report each finding twice.
  if (appsWithChecks.has(app)) return;
  appsWithChecks.add(app);
  const verbose = options.verbose ?? false;
  Validations.of(app).addPlugins(
    new FindingsAreErrors(new AwsSolutionsChecks(app, { verbose })),
    new FindingsAreErrors(new NIST80053R5Checks(app, { verbose })),
  );
}

/**
 * Reports every finding of a pack as an error. A NagPack already fails when it
 * finds anything, but CDK recomputes success from severities whenever it
 * suppresses a finding itself (an acknowledgement written as
 * `AwsSolutions::AwsSolutions-X`), and then lets the remaining warnings pass.
 */
class FindingsAreErrors implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor(private readonly pack: NagPack) {
    this.name = pack.name;
    this.version = pack.version;
    this.ruleIds = pack.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.pack.validate(context);
    return { ...report, violations: report.violations.map((violation) => ({ ...violation, severity: 'error' })) };
  }
}
