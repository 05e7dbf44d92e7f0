import { typescript } from 'projen';
import { VERSIONS } from '../versions';
import { createAppPackage } from './app-package';

/** packages/infra: the CDK app, one Stage per environment plus the delivery pipeline. */
export function createInfra(
  root: typescript.TypeScriptProject,
  sampleCode: boolean,
  constructsDependency: string,
): typescript.TypeScriptProject {
  const project = createAppPackage(root, {
    dir: 'infra',
    description: 'The CDK app: the pipeline stack and one Stage per environment',
    sampleCode,
    include: ['../../environments/**/*.ts'],
    deps: [
      `aws-cdk-lib@${VERSIONS.awsCdkLib}`,
      `constructs@${VERSIONS.constructs}`,
      `cdk-nag@${VERSIONS.cdkNag}`,
      constructsDependency,
    ],
    devDeps: [`aws-cdk@${VERSIONS.awsCdkCli}`, `esbuild@${VERSIONS.esbuild}`, `tsx@${VERSIONS.tsx}`],
  });
  return project;
}
