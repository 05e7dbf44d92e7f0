import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { EnvironmentConfig, SlipwayAppStack, enforceSecurityChecks } from '@slipway/constructs';
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ExitCode, UsageError } from '../../src/command';
import { createVerifyCommand } from '../../src/verify/verify-command';
import {
  canaryConfiguration,
  deployment,
  FakeClock,
  RecordedOutput,
  service,
  serviceDeployment,
  throttlingError,
} from '../fakes';
import { LocalStage, startLocalStage } from './local-stage';

const COMMIT = '9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d';
const ecsMock = mockClient(ECSClient);

let stage: LocalStage;
beforeAll(async () => {
  stage = await startLocalStage(COMMIT);
}, 40_000);
afterAll(() => stage?.stop());
beforeEach(() => ecsMock.reset());

function setup() {
  const clock = new FakeClock();
  const output = new RecordedOutput();
  const command = createVerifyCommand({
    clock,
    output,
    ecsClient: (region) => new ECSClient({ region: region ?? 'eu-west-1' }),
  });
  const summaryFile = path.join(mkdtempSync(path.join(tmpdir(), 'slipway-verify-')), 'summary.txt');
  return { clock, output, command, summaryFile };
}

function healthyServices() {
  return { services: [service('backend', [deployment()]), service('frontend', [deployment({ family: 'frontend' })])] };
}

const byName = ['--cluster', 'dev-cluster', '--service', 'backend', '--service', 'frontend'];

test("a completed rollout serving the pipeline's commit verifies (exit 0) and writes the summary", async () => {
  // GIVEN
  ecsMock
    .on(DescribeServicesCommand)
    .resolvesOnce({
      services: [
        service('backend', [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 0 })]),
        service('frontend', [deployment({ family: 'frontend' })]),
      ],
    })
    .resolves(healthyServices());
  const { command, output, summaryFile } = setup();
  // WHEN
  const code = await command.run([...byName, '--url', stage.url, '--commit', COMMIT, '--summary-file', summaryFile]);
  // THEN
  expect(code).toBe(ExitCode.OK);
  expect(output.errors).toEqual([]);
  expect(output.text).toContain('✔ Rollout complete for 2 services after 15s');
  expect(output.text).toContain(`✔ GET /api/version: version 0.0.0, commit ${COMMIT}, environment dev`);
  // Awake services are checked by their own tasks: verify starts none.
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  expect(readFileSync(summaryFile, 'utf8')).toBe(
    `rollout complete (backend backend:2 COMPLETED, 1/1 running; frontend frontend:2 COMPLETED, 1/1 running); smoke test passed at ${stage.url} serving commit ${COMMIT.slice(0, 12)}\n`,
  );
});

test('a stage serving another commit fails (exit 1) and says so', async () => {
  ecsMock.on(DescribeServicesCommand).resolves(healthyServices());
  const { command, output, summaryFile } = setup();
  const code = await command.run([
    ...byName,
    '--url',
    stage.url,
    '--commit',
    '0000000000000000000000000000000000000000',
    '--smoke-timeout',
    '10',
    '--summary-file',
    summaryFile,
  ]);
  expect(code).toBe(ExitCode.FAILED);
  expect(output.errors).toContain(
    `  ✖ GET /api/version: serves commit ${COMMIT}, expected 0000000000000000000000000000000000000000: the stage is not running the build this pipeline deployed`,
  );
  expect(output.errors.at(-1)).toBe(`✖ Smoke test of ${stage.url} failed after 3 attempts (10s).`);
  expect(readFileSync(summaryFile, 'utf8')).toMatch(
    /^FAILED smoke test of http:\/\/127\.0\.0\.1:\d+: GET \/api\/version serves commit 9c1d2e3f/,
  );
});

test('a FAILED rollout fails fast (exit 1), lists why tasks stopped, and skips the smoke test', async () => {
  // GIVEN
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service('backend', [
        deployment({
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          runningCount: 0,
          failedTasks: 2,
        }),
      ]),
      service('frontend', [deployment({ family: 'frontend' })]),
    ],
  });
  ecsMock.on(ListTasksCommand).resolves({
    taskArns: [
      'arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/aaa',
      'arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/bbb',
    ],
  });
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: 'arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/aaa',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/backend:2',
        stoppedAt: new Date('2024-05-01T11:58:00Z'),
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'backend', exitCode: 1 }],
      },
      {
        taskArn: 'arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/bbb',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/backend:2',
        stoppedAt: new Date('2024-05-01T11:59:00Z'),
        stoppedReason:
          'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/backend/123)',
        containers: [
          { name: 'backend', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
        ],
      },
    ],
  });
  const { command, output, clock, summaryFile } = setup();
  // WHEN
  const code = await command.run([...byName, '--url', stage.url, '--commit', COMMIT, '--summary-file', summaryFile]);
  // THEN
  expect(code).toBe(ExitCode.FAILED);
  expect(clock.sleeps).toEqual([]);
  expect(output.errors).toEqual([
    '✖ Deployment failed: backend failed.',
    '  backend: deployment ecs-svc/backend2 (backend:2) FAILED: ECS deployment circuit breaker: tasks failed to start.; 0/1 running, 2 failed to start',
    '  Recently stopped tasks of backend:',
    '    task bbb (backend:2) stopped 2024-05-01T11:59:00.000Z: Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/backend/123); backend: exit 137, OutOfMemoryError: Container killed due to memory usage',
    '    task aaa (backend:2) stopped 2024-05-01T11:58:00.000Z: Essential container in task exited; backend: exit 1',
    "  Look next: the service's Events tab in the ECS console, and its CloudWatch log group.",
  ]);
  expect(output.text).not.toContain('Smoke-testing');
  expect(ecsMock.commandCalls(ListTasksCommand)[0].args[0].input).toEqual({
    cluster: 'dev-cluster',
    serviceName: 'backend',
    desiredStatus: 'STOPPED',
    maxResults: 100,
  });
  expect(readFileSync(summaryFile, 'utf8')).toMatch(/^FAILED: backend deployment ecs-svc\/backend2/);
});

test('a circuit-breaker rollback fails (exit 1)', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service('backend', [
        deployment({ revision: 1, rolloutState: 'IN_PROGRESS' }),
        deployment({
          revision: 2,
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        }),
      ]),
    ],
  });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  const { command, output } = setup();
  const code = await command.run(['--cluster', 'dev-cluster', '--service', 'backend']);
  expect(code).toBe(ExitCode.FAILED);
  expect(output.errors[0]).toBe('✖ Deployment failed: backend rolled-back.');
  expect(output.errors).toContain('  backend: no stopped tasks recorded.');
});

describe('a canary service (ECS service deployment)', () => {
  function givenCanaryBackend(...states: Parameters<typeof serviceDeployment>[0][]) {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        service('backend', [deployment({ revision: 3 })], { deploymentConfiguration: canaryConfiguration() }),
        service('frontend', [deployment({ family: 'frontend' })]),
      ],
    });
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: serviceDeployment().serviceDeploymentArn, createdAt: new Date() }],
    });
    let describe = ecsMock.on(DescribeServiceDeploymentsCommand);
    for (const [index, state] of states.entries()) {
      const response = { serviceDeployments: [serviceDeployment(state)] };
      describe =
        index === states.length - 1 ? (describe.resolves(response), describe) : describe.resolvesOnce(response);
    }
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  }

  test('a rollback during the bake time fails at once (exit 1) with a one-line reason naming the alarm', async () => {
    // GIVEN the canary shifted, then its 5xx alarm fired during the bake time
    givenCanaryBackend(
      { lifecycleStage: 'BAKE_TIME', updatedAt: new Date(Date.UTC(2024, 4, 1, 12, 0, 0)) },
      {
        status: 'ROLLBACK_IN_PROGRESS',
        lifecycleStage: 'BAKE_TIME',
        alarms: { status: 'TRIGGERED', alarmNames: ['prod-backend-5xx'], triggeredAlarmNames: ['prod-backend-5xx'] },
      },
    );
    const { command, output, clock, summaryFile } = setup();
    // WHEN
    const code = await command.run([...byName, '--url', stage.url, '--commit', COMMIT, '--summary-file', summaryFile]);
    // THEN
    expect(code).toBe(ExitCode.FAILED);
    expect(clock.sleeps).toEqual([15_000]);
    expect(output.errors[0]).toBe(
      '✖ Deployment failed: backend rolled-back (ROLLBACK_IN_PROGRESS during BAKE_TIME: alarm prod-backend-5xx went to ALARM).',
    );
    expect(output.text).toContain('BAKE_TIME, traffic 100% new / 0% old, bake 10m left');
    expect(output.text).not.toContain('Smoke-testing');
    expect(readFileSync(summaryFile, 'utf8')).toBe(
      'FAILED: backend backend:3 CANARY deployment ROLLBACK_IN_PROGRESS during BAKE_TIME: alarm prod-backend-5xx went to ALARM\n',
    );
  });

  test('a SUCCESSFUL canary verifies (exit 0) and the smoke test runs', async () => {
    givenCanaryBackend(
      { lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' },
      { status: 'SUCCESSFUL', lifecycleStage: undefined },
    );
    const { command, output } = setup();
    const code = await command.run([...byName, '--url', stage.url, '--commit', COMMIT]);
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(output.text).toContain(
      '✔ backend: backend:3 CANARY SUCCESSFUL (canary 10% for 5m, bake 10m), traffic 100% new / 0% old',
    );
  });

  test('--timeout is extended by the canary wait and bake time, and the timeout message says the total', async () => {
    givenCanaryBackend({ lifecycleStage: 'BAKE_TIME', updatedAt: new Date(Date.UTC(2030, 0, 1)) });
    const { command, output, clock } = setup();
    const started = clock.now();
    const code = await command.run([...byName, '--timeout', '120', '--poll-interval', '60']);
    expect(code).toBe(ExitCode.TIMED_OUT);
    expect(clock.now() - started).toBe(17 * 60_000);
    expect(output.text).toContain('waiting up to 17m in all: 2m plus 15m of traffic shifting and bake time');
    expect(output.errors[0]).toBe('✖ Timed out after 17m waiting for backend to settle.');
  });
});

test('running < desired until the timeout exits 3 and names the service', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [service('backend', [deployment({ rolloutState: 'IN_PROGRESS', desiredCount: 2, runningCount: 1 })])],
  });
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  const { command, output, clock } = setup();
  const started = clock.now();
  const code = await command.run([
    '--cluster',
    'dev-cluster',
    '--service',
    'backend',
    '--timeout',
    '120',
    '--poll-interval',
    '30',
  ]);
  expect(code).toBe(ExitCode.TIMED_OUT);
  expect(clock.now() - started).toBe(120_000);
  expect(output.errors[0]).toBe('✖ Timed out after 2m waiting for backend to settle.');
  expect(output.errors[1]).toBe('  backend: backend:2 IN_PROGRESS, 1/2 running');
});

test('throttling is retried and the verification still passes', async () => {
  ecsMock.on(DescribeServicesCommand).rejectsOnce(throttlingError()).resolves(healthyServices());
  const { command, output } = setup();
  const code = await command.run([...byName, '--url', stage.url, '--commit', COMMIT]);
  expect(code).toBe(ExitCode.OK);
  expect(output.text).toContain('ECS throttled DescribeServices');
});

test('access denied fails (exit 1) with the permissions it needs', async () => {
  ecsMock.on(DescribeServicesCommand).rejects(
    Object.assign(new Error('User is not authorized to perform ecs:DescribeServices'), {
      name: 'AccessDeniedException',
    }),
  );
  const { command, output } = setup();
  const code = await command.run(byName);
  expect(code).toBe(ExitCode.FAILED);
  expect(output.errors[0]).toMatch(
    /^✖ Could not read the ECS services of cluster dev-cluster: Access denied: User is not authorized .*ecs:DescribeServices, ecs:ListTasks/,
  );
});

test('--env finds the cluster by its slipway:environment tag and verifies all its services', async () => {
  ecsMock.on(ListClustersCommand).resolves({
    clusterArns: [
      'arn:aws:ecs:eu-west-1:111111111111:cluster/other',
      'arn:aws:ecs:eu-west-1:111111111111:cluster/dev-cluster',
    ],
  });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterArn: 'arn:aws:ecs:eu-west-1:111111111111:cluster/other',
        clusterName: 'other',
        tags: [{ key: 'slipway:environment', value: 'prod' }],
      },
      {
        clusterArn: 'arn:aws:ecs:eu-west-1:111111111111:cluster/dev-cluster',
        clusterName: 'dev-cluster',
        tags: [{ key: 'slipway:environment', value: 'dev' }],
      },
    ],
  });
  ecsMock.on(ListServicesCommand).resolves({
    serviceArns: [
      'arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/frontend',
      'arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/backend',
    ],
  });
  ecsMock.on(DescribeServicesCommand).resolves(healthyServices());
  const { command, output } = setup();
  const code = await command.run(['--env', 'dev']);
  expect(code).toBe(ExitCode.OK);
  expect(output.lines[0]).toBe('Verifying backend, frontend in ECS cluster dev-cluster (waiting up to 15m)');
  expect(output.text).toContain('No --url given: skipped the HTTP smoke test.');
  expect(ecsMock.commandCalls(DescribeClustersCommand)[0].args[0].input.include).toEqual(['TAGS']);
});

test('--env with a --skip-start naming none of its services is a usage error (exit 2) that lists them', async () => {
  ecsMock.on(ListClustersCommand).resolves({ clusterArns: ['arn:aws:ecs:eu-west-1:111111111111:cluster/dev-cluster'] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterArn: 'arn:aws:ecs:eu-west-1:111111111111:cluster/dev-cluster',
        clusterName: 'dev-cluster',
        tags: [{ key: 'slipway:environment', value: 'dev' }],
      },
    ],
  });
  ecsMock.on(ListServicesCommand).resolves({
    serviceArns: ['arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/backend'],
  });
  const { command, output } = setup();
  const code = await command.run(['--env', 'dev', '--skip-start', 'worker']);
  expect(code).toBe(ExitCode.USAGE);
  expect(output.errors).toEqual([
    '✖ --skip-start worker: no such service in cluster dev-cluster of environment dev (it has backend).',
  ]);
  expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0);
});

test('--env with no tagged cluster fails with what was searched', async () => {
  ecsMock.on(ListClustersCommand).resolves({ clusterArns: [] });
  const { command, output } = setup();
  const code = await command.run(['--env', 'staging', '--region', 'eu-central-1']);
  expect(code).toBe(ExitCode.FAILED);
  expect(output.errors[0]).toContain(
    'No ECS cluster tagged slipway:environment=staging in eu-central-1 (searched 0 clusters)',
  );
});

describe('usage errors', () => {
  test.each([
    [[], /--cluster <name> with at least one --service <name>, or --env <name>/],
    [['--cluster', 'c'], /at least one --service/],
    [['--env', 'dev', '--cluster', 'c'], /either --env or --cluster/],
    [
      ['--env', 'dev', '--commit', 'abc1234'],
      /--commit is checked against the stage's \/api\/version, so it needs --url/,
    ],
    [['--env', 'dev', '--url', 'example.com'], /--url must be an http:\/\/ or https:\/\/ URL; got "example.com"/],
    [['--env', 'dev', '--timeout', 'soon'], /--timeout must be a positive number of seconds; got "soon"/],
    [['--env', 'dev', '--bogus'], /Unknown option '--bogus'/],
    [
      [...byName, '--url', 'http://x', '--version-service', 'backend'],
      /--version-service reads the commit from the image in --template and checks it at --url's \/api\/version, so it needs both/,
    ],
  ])('%j', async (argv, message) => {
    const { command } = setup();
    await expect(command.run(argv)).rejects.toThrow(UsageError);
    await expect(command.run(argv)).rejects.toThrow(message);
  });
});

describe('--template: each service must run the images this pipeline run built', () => {
  // A stage stack as CDK synthesizes it: one Fargate task definition per service, each image a Docker image asset
  // built with its own GIT_SHA (the backend's is the commit the local stage reports).
  const synthesized = stageOfTwoServices({ backend: COMMIT, frontend: 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0' });
  const digest = (name: string) => `sha256:${name === 'backend' ? 'b' : 'f'}${'0'.repeat(63)}`;

  /** DescribeServices, ListTasks and DescribeTasks as ECS answers them once the services run `images`. */
  function stageRunning(
    images: Record<string, { family?: string; tag: string }>,
    tasksPerService = 2,
    startingTasks = 0,
    imageForm: 'tag' | 'tag@digest' = 'tag',
  ) {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: Object.entries(images).map(([name, image]) =>
        service(name, [deployment({ family: image.family ?? synthesized.family[name], revision: 3 })]),
      ),
    });
    for (const [name, image] of Object.entries(images)) {
      const arns = Array.from(
        { length: tasksPerService },
        (_, index) => `arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/${name}${index}`,
      );
      // A task ECS is still starting is listed (desired status RUNNING) but has not pulled its image: no digest yet.
      const startingArns = Array.from(
        { length: startingTasks },
        (_, index) => `arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/${name}starting${index}`,
      );
      ecsMock
        .on(ListTasksCommand, { serviceName: name, desiredStatus: 'RUNNING' })
        .resolves({ taskArns: [...arns, ...startingArns] });
      ecsMock.on(DescribeTasksCommand, { tasks: [...arns, ...startingArns] }).resolves({
        tasks: [...arns, ...startingArns].map((taskArn) => ({
          taskArn,
          lastStatus: startingArns.includes(taskArn) ? 'PENDING' : 'RUNNING',
          taskDefinitionArn: `arn:aws:ecs:eu-west-1:111111111111:task-definition/${image.family ?? synthesized.family[name]}:3`,
          containers: [
            {
              name,
              image:
                `111111111111.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-111111111111-eu-west-1:${image.tag}` +
                (imageForm === 'tag@digest' ? `@${digest(name)}` : ''),
              imageDigest: startingArns.includes(taskArn) ? undefined : digest(name),
              lastStatus: startingArns.includes(taskArn) ? 'PENDING' : 'RUNNING',
            },
          ],
        })),
      });
    }
  }

  const withTemplate = (summaryFile: string) => [
    ...byName,
    '--url',
    stage.url,
    '--template',
    synthesized.templateFile,
    '--version-service',
    'backend',
    '--summary-file',
    summaryFile,
  ];

  test("tasks running the template's images verify, and /api/version must report the backend image's GIT_SHA", async () => {
    // GIVEN both services run the images the synthesized stage names
    stageRunning({ backend: { tag: synthesized.tag.backend }, frontend: { tag: synthesized.tag.frontend } });
    const { command, output, summaryFile } = setup();
    // WHEN
    const code = await command.run(withTemplate(summaryFile));
    // THEN
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(output.lines).toContain(
      `  ✔ backend: 2 tasks of ${synthesized.family.backend}:3 run backend ${synthesized.tag.backend.slice(0, 12)}… (sha256:b00000000000…)`,
    );
    expect(output.text).toContain(`Smoke-testing ${stage.url} for commit ${COMMIT}`);
    expect(readFileSync(summaryFile, 'utf8')).toContain('every task runs the images this run built');
  });

  test('a task still starting (a scale-out: PENDING, no image digest yet) is counted, not judged', async () => {
    // GIVEN two RUNNING tasks per service and one more each that ECS is still starting
    stageRunning({ backend: { tag: synthesized.tag.backend }, frontend: { tag: synthesized.tag.frontend } }, 2, 1);
    const { command, output, summaryFile } = setup();
    // WHEN
    const code = await command.run(withTemplate(summaryFile));
    // THEN
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(output.lines).toContainEqual(expect.stringMatching(/backend: 2 tasks of .*; 1 more starting, not checked/));
  });

  test('a task whose image ECS reports as repo:tag@digest verifies by its tag', async () => {
    stageRunning(
      { backend: { tag: synthesized.tag.backend }, frontend: { tag: synthesized.tag.frontend } },
      2,
      0,
      'tag@digest',
    );
    const { command, output, summaryFile } = setup();
    expect(await command.run(withTemplate(summaryFile))).toBe(ExitCode.OK);
    expect(output.errors).toEqual([]);
  });

  test('a service still running an older image fails (exit 1), naming both images', async () => {
    const old = 'a'.repeat(64);
    stageRunning({ backend: { tag: old }, frontend: { tag: synthesized.tag.frontend } });
    const { command, output, summaryFile } = setup();
    const code = await command.run(withTemplate(summaryFile));
    expect(code).toBe(ExitCode.FAILED);
    expect(output.errors[0]).toMatch(
      new RegExp(
        `^  ✖ backend: container backend of task backend0 runs \\S+:${old}, not \\S+:${synthesized.tag.backend}$`,
      ),
    );
    expect(output.text).not.toContain('Smoke-testing');
    expect(readFileSync(summaryFile, 'utf8')).toMatch(/^FAILED image check: backend container backend/);
  });

  test("a task definition family the run's cloud assembly does not define fails (exit 1)", async () => {
    stageRunning({
      backend: { family: 'handmade-backend', tag: synthesized.tag.backend },
      frontend: { tag: synthesized.tag.frontend },
    });
    const { command, output, summaryFile } = setup();
    const code = await command.run(withTemplate(summaryFile));
    expect(code).toBe(ExitCode.FAILED);
    expect(output.errors[0]).toContain('backend: runs task definition handmade-backend:3, whose family');
  });

  test('a missing template is a usage error that names the file', async () => {
    const { command } = setup();
    await expect(command.run([...byName, '--template', '/nowhere/stack.template.json'])).rejects.toThrow(
      /--template \/nowhere\/stack.template.json does not exist/,
    );
  });
});

describe('out of hours: a service asleep by schedule', () => {
  const TAGS = [{ key: 'slipway:awake-hours', value: 'Europe/Dublin MON TUE WED THU FRI 07:00-20:00' }];
  /** A service whose spec says startWhenAsleep: false carries this tag too. */
  const SKIP_TAGGED = [...TAGS, { key: 'slipway:night-start', value: 'skip' }];
  /** The task definitions verify started a task of, in order. */
  const startedDefinitions = () =>
    ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input.taskDefinition);
  /** Wednesday 1 May 2024, 22:30 in Dublin (UTC+1). */
  const NIGHT = Date.UTC(2024, 4, 1, 21, 30, 0);
  const NETWORK = {
    awsvpcConfiguration: { subnets: ['subnet-0aaa'], securityGroups: ['sg-0app'], assignPublicIp: 'DISABLED' as const },
  };

  function asleep(name: string, family = name, tags = TAGS) {
    return service(name, [deployment({ family, revision: 5, desiredCount: 0, runningCount: 0 })], {
      tags,
      networkConfiguration: NETWORK,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
      platformVersion: 'LATEST',
    });
  }

  function setupAt(time: number) {
    const setup1 = setup();
    setup1.clock.time = time;
    return setup1;
  }

  const taskArn = (name: string) => `arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/${name}night`;

  /**
   * RunTask, DescribeTasks and StopTask as ECS answers them for one task of each sleeping service's task definition:
   * started, then RUNNING and HEALTHY (their containers define health checks), running `images`.
   */
  function tasksStartAtNight(families: Record<string, string>, images: Record<string, string> = {}) {
    ecsMock.on(ListTasksCommand, { startedBy: 'slipway-verify' }).resolves({ taskArns: [] });
    ecsMock.on(StopTaskCommand).resolves({});
    for (const [name, family] of Object.entries(families)) {
      const taskDefinition = `${TASK_DEFINITION_PREFIX}/${family}:5`;
      ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition }).resolves({
        taskDefinition: {
          containerDefinitions: [
            {
              name,
              image: `${REPOSITORY}:${images[name] ?? 'latest'}`,
              healthCheck: { command: ['CMD-SHELL', 'exit 0'], interval: 15, timeout: 5, retries: 3 },
            },
          ],
        },
      });
      ecsMock
        .on(RunTaskCommand, { taskDefinition })
        .resolves({ tasks: [{ taskArn: taskArn(name), lastStatus: 'PROVISIONING' }], failures: [] });
    }
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) => {
        const name = Object.keys(families).find((candidate) => arn === taskArn(candidate))!;
        return {
          taskArn: arn,
          taskDefinitionArn: `${TASK_DEFINITION_PREFIX}/${families[name]}:5`,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          healthStatus: 'HEALTHY',
          containers: [
            {
              name,
              image: `${REPOSITORY}:${images[name] ?? 'latest'}`,
              imageDigest: `sha256:${'c'.repeat(64)}`,
              lastStatus: 'RUNNING',
              healthStatus: 'HEALTHY',
            },
          ],
        };
      }),
    }));
  }

  test('GIVEN no tasks at night WHEN verified without a template THEN one task of each starts, becomes HEALTHY and is stopped; the smoke test is skipped', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [asleep('backend'), asleep('frontend')] });
    tasksStartAtNight({ backend: 'backend', frontend: 'frontend' });
    const { command, output, summaryFile } = setupAt(NIGHT);
    const code = await command.run([...byName, '--url', stage.url, '--commit', COMMIT, '--summary-file', summaryFile]);
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(output.lines).toContain(
      '  ☾ backend: asleep by schedule (MON,TUE,WED,THU,FRI 07:00–20:00 Europe/Dublin) until 2024-05-02 07:00 Europe/Dublin (THU)',
    );
    expect(output.lines).toContain(
      'Starting one task of backend, frontend to prove the new image starts at night; each is stopped once checked (up to 15m, what is left of --timeout)',
    );
    expect(output.lines).toContain('  ✔ backend: task backendnight of backend:5 RUNNING and HEALTHY after 0ms');
    // Each with the service's own network and capacity provider strategy; each stopped again.
    expect(ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input)).toEqual(
      ['backend', 'frontend'].map((name) =>
        expect.objectContaining({
          cluster: 'dev-cluster',
          taskDefinition: `${TASK_DEFINITION_PREFIX}/${name}:5`,
          networkConfiguration: NETWORK,
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
          startedBy: 'slipway-verify',
        }),
      ),
    );
    expect(ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input.task)).toEqual([
      taskArn('backend'),
      taskArn('frontend'),
    ]);
    expect(output.text).toContain(`Skipped the smoke test of ${stage.url}: backend, frontend are asleep by schedule`);
    expect(output.text).not.toContain('Smoke-testing');
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toContain(
      '; backend, frontend asleep by schedule until 2024-05-02 07:00 Europe/Dublin (THU): the new image started at night in one task each (backend HEALTHY, frontend HEALTHY), then stopped; not smoke-tested until they wake',
    );
    expect(summary).not.toContain('not started');
  });

  test('GIVEN a new image that exits on start at night THEN it fails (exit 1) with why, and the summary says so', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [asleep('backend'), asleep('frontend')] });
    tasksStartAtNight({ backend: 'backend', frontend: 'frontend' });
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) =>
        arn === taskArn('backend')
          ? {
              taskArn: arn,
              taskDefinitionArn: `${TASK_DEFINITION_PREFIX}/backend:5`,
              lastStatus: 'STOPPED',
              desiredStatus: 'STOPPED',
              stopCode: 'EssentialContainerExited',
              stoppedReason: 'Essential container in task exited',
              containers: [{ name: 'backend', lastStatus: 'STOPPED', exitCode: 1 }],
            }
          : {
              taskArn: arn,
              lastStatus: 'RUNNING',
              desiredStatus: 'RUNNING',
              healthStatus: 'HEALTHY',
              containers: [{ name: 'frontend', lastStatus: 'RUNNING', healthStatus: 'HEALTHY' }],
            },
      ),
    }));
    const { command, output, summaryFile } = setupAt(NIGHT);
    const code = await command.run([...byName, '--url', stage.url, '--summary-file', summaryFile]);
    expect(code).toBe(ExitCode.FAILED);
    expect(output.errors).toContain(
      '  ✖ backend: stopped on its own: task backendnight (backend:5) stopped: Essential container in task exited; backend: exit 1',
    );
    expect(output.text).not.toContain('Smoke-testing');
    // The frontend's task is stopped; the backend's stopped by itself.
    expect(ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input.task)).toEqual([taskArn('frontend')]);
    expect(readFileSync(summaryFile, 'utf8')).toBe(
      'FAILED night start: backend stopped on its own: task backendnight (backend:5) stopped: Essential container in task exited; backend: exit 1\n',
    );
  });

  test('GIVEN --skip-start backend THEN only the frontend is started, and the summary says the backend was not', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [asleep('backend'), asleep('frontend')] });
    tasksStartAtNight({ backend: 'backend', frontend: 'frontend' });
    const { command, output, summaryFile } = setupAt(NIGHT);
    const code = await command.run([...byName, '--skip-start', 'backend', '--summary-file', summaryFile]);
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(startedDefinitions()).toEqual([`${TASK_DEFINITION_PREFIX}/frontend:5`]);
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      ': the new image started at night in one task each (frontend HEALTHY), then stopped; backend not started (--skip-start); not smoke-tested until they wake',
    );
  });

  test('GIVEN a service tagged slipway:night-start=skip THEN it is not started, and the output and summary say why', async () => {
    // GIVEN a worker whose spec says startWhenAsleep: false, beside the backend, both asleep
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [asleep('backend'), asleep('worker', 'worker', SKIP_TAGGED)] });
    tasksStartAtNight({ backend: 'backend', worker: 'worker' });
    const { command, output, summaryFile } = setupAt(NIGHT);
    // WHEN verify runs at night
    const code = await command.run([
      '--cluster',
      'dev-cluster',
      '--service',
      'backend',
      '--service',
      'worker',
      '--summary-file',
      summaryFile,
    ]);
    // THEN the backend's task is started and stopped; the worker's task definition is not run
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(startedDefinitions()).toEqual([`${TASK_DEFINITION_PREFIX}/backend:5`]);
    expect(output.text).toContain('tagged slipway:night-start=skip: not started at night');
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      ': the new image started at night in one task each (backend HEALTHY), then stopped; worker not started (tagged slipway:night-start=skip); not smoke-tested until they wake',
    );
  });

  test('GIVEN one service skipped by --skip-start and one by its tag THEN none is started and each reason is given', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [asleep('backend'), asleep('frontend', 'frontend', SKIP_TAGGED)] });
    tasksStartAtNight({ backend: 'backend', frontend: 'frontend' });
    const { command, summaryFile } = setupAt(NIGHT);
    const code = await command.run([...byName, '--skip-start', 'backend', '--summary-file', summaryFile]);
    expect(code).toBe(ExitCode.OK);
    expect(startedDefinitions()).toEqual([]);
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      ': backend not started (--skip-start); frontend not started (tagged slipway:night-start=skip); not smoke-tested until they wake',
    );
  });

  test('GIVEN --skip-start of a service not verified THEN it is a usage error', async () => {
    const { command } = setup();
    await expect(command.run([...byName, '--skip-start', 'wroker'])).rejects.toThrow(
      /--skip-start wroker must name --service names/,
    );
  });

  test('GIVEN no tasks in the awake hours THEN it is not asleep: the image check fails as before, nothing is started', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [asleep('backend'), asleep('frontend')] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    const { command, output } = setupAt(Date.UTC(2024, 4, 1, 12, 0, 0));
    const code = await command.run([...byName, '--template', stageOfTwoServices().templateFile]);
    expect(code).toBe(ExitCode.FAILED);
    expect(output.errors[0]).toBe('  ✖ backend: no RUNNING tasks to check');
    expect(output.text).not.toContain('asleep by schedule');
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('GIVEN the wake action is a minute late THEN the service is still waking, not broken', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [asleep('backend'), asleep('frontend')] });
    tasksStartAtNight({ backend: 'backend', frontend: 'frontend' });
    const { command, output } = setupAt(Date.UTC(2024, 4, 2, 6, 1, 0)); // 07:01 in Dublin
    const code = await command.run(byName);
    expect(code).toBe(ExitCode.OK);
    expect(output.text).toContain('until 2024-05-02 07:01 Europe/Dublin (THU)');
  });

  test("GIVEN --template WHEN the sleeping services' task definitions name this run's images THEN their tasks start with them and it passes", async () => {
    const template = stageOfTwoServices();
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [asleep('backend', template.family.backend), asleep('frontend', template.family.frontend)],
    });
    tasksStartAtNight(template.family, template.tag);
    const { command, output, summaryFile } = setupAt(NIGHT);
    const code = await command.run([
      ...byName,
      '--url',
      stage.url,
      '--template',
      template.templateFile,
      '--version-service',
      'backend',
      '--summary-file',
      summaryFile,
    ]);
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(output.lines).toContain(
      `  ✔ backend: task definition ${template.family.backend}:5 names backend ${template.tag.backend.slice(0, 12)}… (this run's builds)`,
    );
    // The task started at night reports the digest ECS resolved for this run's tag.
    expect(output.lines).toContain(
      `  ✔ backend: task backendnight of ${template.family.backend}:5 RUNNING and HEALTHY after 0ms, runs backend ${template.tag.backend.slice(0, 12)}… (sha256:cccccccccccc…)`,
    );
    expect(ecsMock.commandCalls(ListTasksCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'dev-cluster', startedBy: 'slipway-verify' },
    ]);
    // The image check's DescribeTaskDefinition also tells the night start which containers define health checks.
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input)).toEqual([
      { taskDefinition: `${TASK_DEFINITION_PREFIX}/${template.family.backend}:5` },
      { taskDefinition: `${TASK_DEFINITION_PREFIX}/${template.family.frontend}:5` },
    ]);
    expect(startedDefinitions()).toEqual([
      `${TASK_DEFINITION_PREFIX}/${template.family.backend}:5`,
      `${TASK_DEFINITION_PREFIX}/${template.family.frontend}:5`,
    ]);
  });

  test('GIVEN --template WHEN a sleeping service still names an older image THEN it fails (exit 1) before starting anything', async () => {
    const template = stageOfTwoServices();
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [asleep('backend', template.family.backend), asleep('frontend', template.family.frontend)],
    });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { containerDefinitions: [{ name: 'backend', image: `${REPOSITORY}:${'a'.repeat(64)}` }] },
    });
    const { command, output } = setupAt(NIGHT);
    const code = await command.run([...byName, '--template', template.templateFile]);
    expect(code).toBe(ExitCode.FAILED);
    expect(output.errors[0]).toMatch(/^  ✖ backend: task definition \S+:5 names \S+:a{64} for container backend, not /);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});

const TASK_DEFINITION_PREFIX = 'arn:aws:ecs:eu-west-1:111111111111:task-definition';
const REPOSITORY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-111111111111-eu-west-1';

/** A synthesized stage: its template file, and each container's task definition family and image tag. */
interface SynthesizedStage {
  readonly templateFile: string;
  readonly family: Record<string, string>;
  readonly tag: Record<string, string>;
}

/** A stage stack with a backend and a frontend task definition, each image a Docker image asset of its commit. */
function stageOfTwoServices(commits: Record<string, string> = { backend: COMMIT, frontend: COMMIT }): SynthesizedStage {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'slipway-verify-assembly-')) });
  const stack = new Stack(app, 'DevApp', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (const [name, gitSha] of Object.entries(commits)) {
    const context = mkdtempSync(path.join(tmpdir(), `slipway-${name}-`));
    writeFileSync(path.join(context, 'Dockerfile'), `FROM scratch\nARG GIT_SHA\nLABEL service=${name}\n`);
    new ecs.FargateTaskDefinition(stack, `${name}TaskDefinition`).addContainer(name, {
      containerName: name,
      image: ecs.ContainerImage.fromAsset(context, { buildArgs: { GIT_SHA: gitSha } }),
    });
  }
  return synthesizedStage(app, stack);
}

/** Synthesize `app` and read `stack`'s task definitions: each container's family and image tag. */
function synthesizedStage(app: App, stack: Stack): SynthesizedStage {
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template;
  const family: Record<string, string> = {};
  const tag: Record<string, string> = {};
  for (const resource of Object.values(template.Resources) as any[]) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const container = resource.Properties.ContainerDefinitions[0];
    family[container.Name] = resource.Properties.Family;
    tag[container.Name] = container.Image['Fn::Sub'].split(':').pop();
  }
  return { templateFile: path.join(assembly.directory, stack.templateFile), family, tag };
}

describe('a worker (no port, no URL of its own) beside the web services', () => {
  /**
   * A SlipwayAppStack as the pipeline synthesizes it, with a worker that runs the backend's image (the same
   * Dockerfile directory, so one image asset) with another command, and a frontend with its own image.
   */
  function synthesizeStageWithWorker(): SynthesizedStage {
    const directory = (name: string) => {
      const context = mkdtempSync(path.join(tmpdir(), `slipway-${name}-`));
      writeFileSync(path.join(context, 'Dockerfile'), `FROM scratch\nARG GIT_SHA\nLABEL service=${name}\n`);
      return { directory: context, buildArgs: { GIT_SHA: name === 'backend' ? COMMIT : 'f'.repeat(40) } };
    };
    const backendImage = directory('backend');
    const size = { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' } as const;
    const config: EnvironmentConfig = {
      name: 'dev',
      account: '111111111111',
      region: 'eu-west-1',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      network: { maxAzs: 2, natGateways: 1, natProvider: 'instance', natInstance: { amiId: 'ami-0a1b2c3d4e5f67890' } },
      services: { backend: size, frontend: size, worker: size },
      serviceDiscovery: { namespace: 'dev.local' },
      logRetentionDays: 7,
      containerInsights: false,
      deletionProtection: false,
      highAvailability: false,
    };
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'slipway-verify-worker-')) });
    enforceSecurityChecks(app);
    const stack = new SlipwayAppStack(app, 'DevApp', {
      config,
      services: {
        backend: {
          image: backendImage,
          containerPort: 8000,
          healthCheckPath: '/api/health',
          pathPatterns: ['/api/*'],
          priority: 10,
        },
        frontend: { image: directory('frontend'), containerPort: 8080, healthCheckPath: '/healthz' },
        worker: {
          kind: 'worker',
          image: backendImage,
          command: ['node', 'dist/worker.js'],
          containerHealthCheck: { command: ['CMD-SHELL', 'test -f /tmp/heartbeat'] },
        },
      },
    });
    return synthesizedStage(app, stack);
  }

  const synthesized = synthesizeStageWithWorker();

  /** ECS's answers once every service runs `tags` (the worker pulled the same image as the backend: same digest). */
  function running(tags: Record<string, string>) {
    const digestOf = (tag: string) => `sha256:${tag.slice(0, 8)}${'0'.repeat(56)}`;
    ecsMock.on(DescribeServicesCommand).resolves({
      services: Object.keys(tags).map((name) =>
        service(name, [deployment({ family: synthesized.family[name], revision: 3 })]),
      ),
    });
    for (const [name, tag] of Object.entries(tags)) {
      const taskArn = `arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/${name}0`;
      ecsMock.on(ListTasksCommand, { serviceName: name, desiredStatus: 'RUNNING' }).resolves({ taskArns: [taskArn] });
      ecsMock.on(DescribeTasksCommand, { tasks: [taskArn] }).resolves({
        tasks: [
          {
            taskArn,
            lastStatus: 'RUNNING',
            taskDefinitionArn: `arn:aws:ecs:eu-west-1:111111111111:task-definition/${synthesized.family[name]}:3`,
            containers: [
              {
                name,
                image: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-111111111111-eu-west-1:${tag}`,
                imageDigest: digestOf(tag),
                lastStatus: 'RUNNING',
              },
            ],
          },
        ],
      });
    }
  }

  const argv = (summaryFile: string) => [
    '--cluster',
    'dev-cluster',
    ...['backend', 'frontend', 'worker'].flatMap((name) => ['--service', name]),
    '--url',
    stage.url,
    '--template',
    synthesized.templateFile,
    '--version-service',
    'backend',
    '--summary-file',
    summaryFile,
  ];

  test('the worker shares the backend image asset: one tag for both', () => {
    expect(synthesized.tag.worker).toBe(synthesized.tag.backend);
    expect(synthesized.tag.frontend).not.toBe(synthesized.tag.backend);
  });

  test("a worker running this run's image verifies by its digest; the smoke test covers the URL alone", async () => {
    // GIVEN every service, the worker included, runs the image the template names
    running({ backend: synthesized.tag.backend, frontend: synthesized.tag.frontend, worker: synthesized.tag.worker });
    const { command, output, summaryFile } = setup();
    // WHEN
    const code = await command.run(argv(summaryFile));
    // THEN
    expect(output.errors).toEqual([]);
    expect(code).toBe(ExitCode.OK);
    expect(output.text).toContain('✔ Rollout complete for 3 services');
    expect(output.lines).toContain(
      `  ✔ worker: 1 task of ${synthesized.family.worker}:3 run worker ${synthesized.tag.worker.slice(0, 12)}… (sha256:${synthesized.tag.worker.slice(0, 8)}0000…)`,
    );
    expect(output.text).toContain(`Smoke-testing ${stage.url} for commit ${COMMIT}`);
    expect(readFileSync(summaryFile, 'utf8')).toMatch(
      new RegExp(`worker ${synthesized.family.worker}:3 COMPLETED.*every task runs the images this run built`),
    );
  });

  test('a worker still running an older image fails the stage, naming the worker', async () => {
    const old = 'a'.repeat(64);
    running({ backend: synthesized.tag.backend, frontend: synthesized.tag.frontend, worker: old });
    const { command, output, summaryFile } = setup();
    const code = await command.run(argv(summaryFile));
    expect(code).toBe(ExitCode.FAILED);
    expect(output.errors).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^  ✖ worker: container worker of task worker0 runs \\S+:${old}, not \\S+:${synthesized.tag.worker}$`,
        ),
      ),
    );
    expect(output.errors).toContain('✖ worker not running what this pipeline run built.');
  });
});
