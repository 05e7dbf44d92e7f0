import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentConfig, SlipwayAppStack } from '@slipway/constructs';
import { App, Stage } from 'aws-cdk-lib';
import { synthSampleApp } from './sample-app';
import { sampleServices } from '../../../constructs/test/fixtures/apps';
import { devHttpApi, prodCanary } from '../../../constructs/test/fixtures/environments';
import { readCloudAssembly } from '../../src/assembly/cloud-assembly';
import { ARCHITECTURE_BLOCK, architectureBlocks } from '../../src/diagram/architecture-doc';

jest.setTimeout(120_000);

let assemblyDir: string;
let blocks: Record<string, string>;

beforeAll(() => {
  assemblyDir = synthSampleApp();
  blocks = architectureBlocks(readCloudAssembly(assemblyDir));
});

afterAll(() => fs.rmSync(assemblyDir, { recursive: true, force: true }));

describe('architectureBlocks on a two-service app with a dev and a prod Stage and a pipeline', () => {
  test('one block per environment, one for the pipeline, and the whole architecture', () => {
    expect(Object.keys(blocks).sort()).toEqual([ARCHITECTURE_BLOCK, 'diagram:dev', 'diagram:pipeline', 'diagram:prod']);
    expect(blocks[ARCHITECTURE_BLOCK]).toContain(blocks['diagram:dev']);
    expect(blocks[ARCHITECTURE_BLOCK]).toContain(blocks['diagram:prod']);
    expect(blocks[ARCHITECTURE_BLOCK]).toContain(blocks['diagram:pipeline']);
    expect(blocks[ARCHITECTURE_BLOCK].indexOf('### Dev')).toBeLessThan(blocks[ARCHITECTURE_BLOCK].indexOf('### Prod'));
  });

  test('each environment diagram shows both services with their task counts, sizes and capacity', () => {
    expect(blocks['diagram:dev']).toContain('backend<br/>1 task · 0.25 vCPU / 0.5 GB · Fargate Spot');
    expect(blocks['diagram:dev']).toContain('frontend<br/>1 task · 0.25 vCPU / 0.5 GB · Fargate Spot');
    expect(blocks['diagram:prod']).toContain('backend<br/>2–6 tasks · 0.25 vCPU / 0.5 GB · Fargate');
    expect(blocks['diagram:prod']).toContain('frontend<br/>2–6 tasks · 0.25 vCPU / 0.5 GB · Fargate');
  });

  test('listener ports: HTTP :80 in dev; HTTPS :443 and the redirect from :80 in prod', () => {
    expect(blocks['diagram:dev']).toMatch(/internet -->\|"HTTP :80"\| s0_Alb\w+/);
    expect(blocks['diagram:dev']).toMatch(/s0_Alb\w+ -->\|"HTTP :80 \/api\/\*"\| s0_backendService\w+/);
    expect(blocks['diagram:dev']).not.toContain('HTTPS');
    expect(blocks['diagram:prod']).toMatch(/internet -->\|"HTTPS :443"\| s0_Alb\w+/);
    expect(blocks['diagram:prod']).toContain('"HTTP :80 (redirect to HTTPS:443)"');
    expect(blocks['diagram:prod']).toMatch(/s0_Alb\w+ -->\|"HTTPS :443 default"\| s0_frontendService\w+/);
  });

  test('Cloud Map names in dev, none in prod', () => {
    expect(blocks['diagram:dev']).toContain('backend.dev.local');
    expect(blocks['diagram:dev']).toContain('frontend.dev.local');
    expect(blocks['diagram:prod']).not.toContain('.local');
  });

  test('subnets and AZs, NAT, and alarms to their SNS topic', () => {
    expect(blocks['diagram:dev']).toContain('VPC 10.0.0.0/16 · 2 AZs');
    expect(blocks['diagram:dev']).toContain('NAT instance t4g.nano × 1');
    expect(blocks['diagram:prod']).toContain('NAT gateway × 2');
    expect(blocks['diagram:dev']).toContain('Private subnets · 2 AZs');
    expect(blocks['diagram:dev']).toContain('CloudWatch alarms × 2<br/>backendCpu<br/>frontendCpu');
    expect(blocks['diagram:dev']).toContain('alarms_0 --> alarms_0_topic0');
  });

  test('the pipeline runs source → build → dev → verify → approval → prod → verify', () => {
    const pipeline = blocks['diagram:pipeline'];
    // each step found after the previous one, in the order the pipeline runs them
    let from = 0;
    for (const step of [
      '"Source"',
      'source connection',
      '"Build"',
      'Synth<br/>CodeBuild',
      '"Dev"',
      'App.Deploy<br/>CloudFormation deploy',
      'Verify<br/>CodeBuild',
      '"Prod"',
      'Approve<br/>manual approval',
      'App.Deploy<br/>CloudFormation deploy',
      'Verify<br/>CodeBuild',
    ]) {
      const found = pipeline.indexOf(step, from);
      expect({ step, found: found >= 0 }).toEqual({ step, found: true });
      from = found + step.length;
    }
    // the approval is drawn as a decision, and the prod deployment waits for it
    expect(pipeline).toMatch(/p0_stage4_0_0\{\{"Approve<br\/>manual approval"\}\}/);
    expect(pipeline).toContain('p0_stage4_0_0 --> p0_stage4_1_0');
    expect(pipeline).toContain('p0_stage3 --> p0_stage4');
  });

  test('output is deterministic: the same on a second synth, with or without path metadata in the templates', () => {
    const again = synthSampleApp({ pathMetadata: false });
    try {
      expect(architectureBlocks(readCloudAssembly(again))).toEqual(blocks);
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });
});

/** The sample services in a Slipway environment inside a `Dev` Stage, synthesized to a temporary assembly. */
function synthSlipwayStage(config: EnvironmentConfig): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-diagram-'));
  const app = new App({ outdir });
  const stage = new Stage(app, 'Dev', { env: { account: config.account, region: config.region } });
  new SlipwayAppStack(stage, 'App', { config, services: sampleServices() });
  app.synth();
  return outdir;
}

describe('architectureBlocks on a Slipway dev environment behind the HTTP API', () => {
  let dir: string;
  let diagram: string;
  beforeAll(() => {
    dir = synthSlipwayStage(devHttpApi);
    diagram = architectureBlocks(readCloudAssembly(dir))['diagram:dev'];
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("internet → HTTP API over HTTPS → VPC link, with the API's throttle and endpoint", () => {
    expect(diagram).toMatch(
      /s0_IngressApi\w+\["HTTP API \(API Gateway\)<br\/>execute-api endpoint<br\/>throttle 50\/s, burst 100"\]/,
    );
    expect(diagram).toMatch(/internet -->\|"HTTPS :443"\| s0_IngressApi\w+/);
    expect(diagram).toMatch(/s0_IngressApi\w+ -->\|"VPC link"\| s0_IngressVpcLink\w+/);
    expect(diagram).not.toContain('Load Balancer');
  });

  test('the VPC link sits in the private subnets and routes /api to the backend, the rest to the frontend', () => {
    expect(diagram).toMatch(/_Private\["Private subnets · 2 AZs"\]\n\s+s0_IngressVpcLink\w+\["VPC link<br\/>2 AZs"\]/);
    expect(diagram).toMatch(/s0_IngressVpcLink\w+ -->\|"ANY \/api, ANY \/api\/\{proxy\+\}"\| s0_BackendService\w+/);
    expect(diagram).toMatch(/s0_IngressVpcLink\w+ -->\|"\$default"\| s0_FrontendService\w+/);
  });

  test('services show their Cloud Map names as SRV records, and the table lists the API routes', () => {
    expect(diagram).toContain('backend.dev.local (SRV)');
    expect(diagram).toContain('frontend.dev.local (SRV)');
    expect(diagram).toContain(
      '| Backend | 1 task · 0.25 vCPU / 0.5 GB · Fargate Spot | backend.dev.local (SRV) | HTTP API ANY /api; HTTP API ANY /api/{proxy+} |',
    );
    expect(diagram).toContain(
      '| Frontend | 1 task · 0.25 vCPU / 0.5 GB · Fargate Spot | frontend.dev.local (SRV) | HTTP API $default |',
    );
  });

  test("the API's alarms go to the topic with the services' alarms", () => {
    // The 5xx alarm is every service's deployment alarm, so it has a fixed name, which the diagram shows.
    expect(diagram).toContain('Dev-App-Ingress-ErrorRate');
    expect(diagram).toContain('Ingress/LatencyP99');
  });

  test('with a custom domain the API is drawn with it and without the execute-api endpoint', () => {
    const domainDir = synthSlipwayStage({
      ...devHttpApi,
      https: { domainName: 'dev.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' },
    });
    try {
      expect(architectureBlocks(readCloudAssembly(domainDir))['diagram:dev']).toMatch(
        /"HTTP API \(API Gateway\)<br\/>dev\.example\.com<br\/>throttle/,
      );
    } finally {
      fs.rmSync(domainDir, { recursive: true, force: true });
    }
  });

  test('output is deterministic', () => {
    const again = synthSlipwayStage(devHttpApi);
    try {
      expect(architectureBlocks(readCloudAssembly(again))['diagram:dev']).toBe(diagram);
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });
});

describe('architectureBlocks on an environment releasing as canaries', () => {
  test("the test listener is drawn without an edge from the internet: only the smoke test hook's security group reaches it", () => {
    // GIVEN prod-like settings with deployment canary: the load balancer has a test listener on :9000
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-diagram-canary-'));
    try {
      const app = new App({ outdir });
      const stage = new Stage(app, 'Prod', { env: { account: prodCanary.account, region: prodCanary.region } });
      new SlipwayAppStack(stage, 'App', { config: prodCanary, services: sampleServices() });
      app.synth();
      // WHEN the diagram is drawn
      const diagram = architectureBlocks(readCloudAssembly(outdir))['diagram:prod'];
      // THEN the internet reaches :443 and :80, not :9000, and the routes behind :9000 say so
      expect(diagram).toMatch(/internet -->\|"HTTPS :443"\|/);
      expect(diagram).not.toMatch(/internet -->\|"HTTP :9000/);
      expect(diagram).toMatch(/-->\|"HTTP :9000 \(VPC only\) \/api\/\*"\| s0_BackendService\w+/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
