/**
 * The construct metadata types under which synth records the settings in the
 * cloud assembly (manifest.json, beside each stack; never in a template, so a
 * deploy does not see them). `slipway doctor` reads them back from `cdk.out`:
 * the settings the app was synthesized from, without running TypeScript.
 * Kept free of aws-cdk-lib imports: the CLI loads it.
 */
export const SETTINGS_METADATA = {
  /** An environment's `EnvironmentConfig`, on its `SlipwayAppStack`. */
  environment: 'slipway:environment-settings',
  /** The pipeline's `PipelineSettings`, on `SlipwayPipeline`. */
  pipeline: 'slipway:pipeline-settings',
} as const;
