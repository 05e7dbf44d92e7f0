import { defineEnvironment, definePipeline } from '@slipway/constructs';
import { pipeline, promotionOrder } from '#environments';
import { dev } from '#environments/dev';
import { prod } from '#environments/prod';
import { CdkTaskError, planCdkTask, refuseSamplesInPipelineBuild } from '../src/cdk-task';

// The same environments with every placeholder replaced by a real-looking value.
const realDev = defineEnvironment({
  ...dev,
  account: '380145624931',
  network: { ...dev.network, natInstance: { amiId: 'ami-0c1d2e3f4a5b6c7d8' } },
});
const realProd = defineEnvironment({
  ...prod,
  account: '905418127732',
  https: { domainName: 'shop.acme.io', hostedZoneId: 'Z08123456ABCDEFGHIJKL', hostedZoneName: 'acme.io' },
  alarms: { email: 'oncall@acme.io' },
});
const realPipeline = definePipeline({
  ...pipeline,
  repository: 'acme/shop',
  account: '380145624931',
  connectionArn: 'arn:aws:codeconnections:eu-west-1:380145624931:connection/5b8c9d2e-1f3a-4b6c-8d7e-9f0a1b2c3d4e',
  notifyEmail: 'releases@acme.io',
});

describe('deploying an environment directly', () => {
  test("selects only that environment's stage stacks and passes cdk options through", () => {
    const invocation = planCdkTask(['deploy', 'dev', '--require-approval', 'never'], [realDev, realProd], realPipeline);
    expect(invocation.args).toEqual(['deploy', 'Delivery/Dev/*', '--require-approval', 'never']);
    expect(invocation.description).toBe(`deploy dev directly (account 380145624931, ${dev.region})`);
  });

  test('is refused while the sample dev account is in place, naming the file, field and fix', () => {
    const sampleDev = defineEnvironment({ ...realDev, account: '111111111111' });
    expect(() => planCdkTask(['deploy', 'dev'], [sampleDev, realProd], realPipeline)).toThrow(CdkTaskError);
    expect(() => planCdkTask(['deploy', 'dev'], [sampleDev, realProd], realPipeline)).toThrow(
      'Refusing to deploy dev: the settings still hold sample placeholders.\nenvironments/dev.ts: account is a placeholder account id; got "111111111111". Put the real 12-digit account id',
    );
  });

  test("is refused for dev while the NAT instance's AMI is the placeholder, naming the command that prints the real one", () => {
    const devWithRealAccount = defineEnvironment({ ...dev, account: '380145624931' });
    expect(() => planCdkTask(['deploy', 'dev'], [devWithRealAccount, realProd], realPipeline)).toThrow(
      `environments/dev.ts: network.natInstance.amiId is a placeholder AMI id; got "ami-00000000000000000". Put the Amazon Linux 2023 arm64 AMI id of ${dev.region} here before deploying; print it with \`aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --region ${dev.region} --query Parameter.Value --output text\`.`,
    );
  });

  test('is refused for prod while its domain is an example.com one, even with a real account', () => {
    const prodOnExampleDomain = defineEnvironment({
      ...realProd,
      https: { domainName: 'app.example.com', hostedZoneId: 'Z08123456ABCDEFGHIJKL', hostedZoneName: 'example.com' },
    });
    expect(() => planCdkTask(['deploy', 'prod'], [realDev, prodOnExampleDomain], realPipeline)).toThrow(
      /environments\/prod\.ts: https\.domainName is a placeholder domain; got "app\.example\.com"/,
    );
  });

  test("is refused for prod while its hosted zone id is the sample's", () => {
    const prodWithSampleZone = defineEnvironment({
      ...realProd,
      https: { domainName: 'shop.acme.io', hostedZoneId: 'Z0000000000000EXAMPLE', hostedZoneName: 'acme.io' },
    });
    expect(() => planCdkTask(['deploy', 'prod'], [realDev, prodWithSampleZone], realPipeline)).toThrow(
      /environments\/prod\.ts: https\.hostedZoneId is a placeholder hosted zone id; got "Z0000000000000EXAMPLE"\. Use the id/,
    );
  });

  test('diff is refused like deploy: against a placeholder account it would compare with nothing', () => {
    const sampleProd = defineEnvironment({ ...realProd, account: '222222222222' });
    expect(() => planCdkTask(['diff', 'prod'], [realDev, sampleProd], realPipeline)).toThrow(
      /^Refusing to diff prod: the settings still hold sample placeholders\.\nenvironments\/prod\.ts: account is a placeholder/,
    );
    expect(planCdkTask(['diff', 'prod'], [realDev, realProd], realPipeline).args).toEqual(['diff', 'Delivery/Prod/*']);
  });

  test('destroy is not refused (it removes only what exists)', () => {
    expect(planCdkTask(['destroy', 'dev'], promotionOrder, pipeline).args).toEqual(['destroy', 'Delivery/Dev/*']);
  });
});

describe('deploying the pipeline', () => {
  test('selects the pipeline stack only', () => {
    expect(planCdkTask(['deploy', 'pipeline'], [realDev, realProd], realPipeline).args).toEqual(['deploy', 'Delivery']);
  });

  test('is refused while the pipeline or any environment it will deploy holds placeholders', () => {
    let message = '';
    try {
      planCdkTask(['deploy', 'pipeline'], [realDev, defineEnvironment({ ...realProd, account: '222222222222' })], {
        ...realPipeline,
        connectionArn: pipeline.connectionArn,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('Refusing to deploy the pipeline');
    expect(message).toContain('environments/index.ts: pipeline.connectionArn is a placeholder connection');
    expect(message).toContain('environments/prod.ts: account is a placeholder account id; got "222222222222"');
    expect(message).not.toContain('environments/dev.ts');
  });

  test('is refused, and so is its diff, while the repository is the placeholder projen new writes', () => {
    const generated = { ...realPipeline, repository: 'example-org/my-shop' };
    for (const action of ['deploy', 'diff']) {
      expect(() => planCdkTask([action, 'pipeline'], [realDev, realProd], generated)).toThrow(
        `Refusing to ${action} the pipeline: the settings still hold sample placeholders.\nenvironments/index.ts: pipeline.repository is a placeholder repository; got "example-org/my-shop". Put the "owner/name"`,
      );
    }
  });
});

describe('wrong arguments', () => {
  test.each([
    [['ship', 'dev'], 'Unknown action "ship". usage: <deploy|diff|destroy> <dev|prod|pipeline> [cdk options]'],
    [['deploy'], 'Name the environment or "pipeline".'],
    [['deploy', 'staging'], 'No environment "staging" in environments/index.ts (promotion order: dev, prod).'],
  ])('%j', (argv, message) => {
    expect(() => planCdkTask(argv, promotionOrder, pipeline)).toThrow(message);
  });
});

describe("the pipeline's own build (CodeBuild)", () => {
  const inCodeBuild = { CODEBUILD_BUILD_ID: 'shop-synth:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' };

  test('refuses to synthesize a commit that still holds sample settings, naming each and saying to push the real ones', () => {
    const samplePipeline = definePipeline({ ...realPipeline, connectionArn: pipeline.connectionArn });
    expect(() => refuseSamplesInPipelineBuild(inCodeBuild, [realDev, realProd], samplePipeline)).toThrow(CdkTaskError);
    expect(() => refuseSamplesInPipelineBuild(inCodeBuild, [realDev, realProd], samplePipeline)).toThrow(
      /^Refusing to synthesize this commit in the pipeline: its settings still hold sample placeholders\. The pipeline builds what is on the branch: commit and push the real settings \(environments\/\), then run the pipeline again\.\nenvironments\/index\.ts: pipeline\.connectionArn is a placeholder connection/,
    );
    expect(() => refuseSamplesInPipelineBuild(inCodeBuild, promotionOrder, realPipeline)).toThrow(
      /\nenvironments\/dev\.ts: account is a placeholder account id/,
    );
  });

  test('passes real settings in CodeBuild, and anything outside it (tests and local synths use the samples)', () => {
    expect(() => refuseSamplesInPipelineBuild(inCodeBuild, [realDev, realProd], realPipeline)).not.toThrow();
    expect(() => refuseSamplesInPipelineBuild({}, promotionOrder, pipeline)).not.toThrow();
  });
});
