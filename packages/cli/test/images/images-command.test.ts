import {
  ContainerDefinition,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ExitCode, UsageError } from '../../src/command';
import { createImagesCommand, formatRevisions } from '../../src/images/images-command';
import { deployment, RecordedOutput, service } from '../fakes';

const ecsMock = mockClient(ECSClient);
beforeEach(() => ecsMock.reset());

const ARN = 'arn:aws:ecs:eu-west-1:222222222222:task-definition';
// The names CloudFormation makes up for the app's backend: the container alone is named `backend`.
const SERVICE = 'ProdApp-BackendService4D1E2A5C-x9YzQw3eRt';
const FAMILY = 'ProdAppBackendTaskDefinition81E913F5';
const REPOSITORY = '222222222222.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-222222222222-eu-west-1';
const COMMITS: Record<string, string> = {
  14: 'aaaa1111bbbb2222cccc3333dddd4444eeee5555',
  13: '3f2c9a1b7d4e00000000000000000000000000ff',
  12: '0123456789abcdef0123456789abcdef01234567',
};

function setup() {
  const output = new RecordedOutput();
  const command = createImagesCommand({
    output,
    ecsClient: (region) => new ECSClient({ region: region ?? 'eu-west-1' }),
  });
  return { output, command };
}

/** prod with a backend on revision 14 of 12–14 (and another family, in case ECS answers more than it documents). */
function givenProd(running = 14) {
  ecsMock
    .on(ListClustersCommand)
    .resolves({ clusterArns: ['arn:aws:ecs:eu-west-1:222222222222:cluster/prod-cluster'] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterArn: 'arn:aws:ecs:eu-west-1:222222222222:cluster/prod-cluster',
        clusterName: 'prod-cluster',
        tags: [{ key: 'slipway:environment', value: 'prod' }],
      },
    ],
  });
  ecsMock
    .on(ListServicesCommand)
    .resolves({ serviceArns: [`arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/${SERVICE}`] });
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service(SERVICE, [deployment({ family: FAMILY, revision: running })], {
        taskDefinition: `${ARN}/${FAMILY}:${running}`,
      }),
    ],
  });
  ecsMock.on(ListTaskDefinitionsCommand).resolves({
    taskDefinitionArns: [
      `${ARN}/${FAMILY}Worker:3`,
      `${ARN}/${FAMILY}:14`,
      `${ARN}/${FAMILY}:13`,
      `${ARN}/${FAMILY}:12`,
    ],
  });
  for (const revision of [12, 13, 14]) {
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: `${ARN}/${FAMILY}:${revision}` }).resolves({
      taskDefinition: {
        family: FAMILY,
        revision,
        registeredAt: new Date(Date.UTC(2026, 11, revision - 10, 9, 30, 12)),
        containerDefinitions: [
          container(`${REPOSITORY}:${'ab'.repeat(31)}${revision}`, {
            'org.opencontainers.image.revision': COMMITS[revision],
          }),
        ],
      },
    });
  }
}

function container(image: string, dockerLabels?: Record<string, string>): ContainerDefinition {
  return { name: 'backend', image, dockerLabels };
}

describe('slipway images', () => {
  test('GIVEN a service with three ACTIVE revisions WHEN listed THEN each shows its commit, newest first, the running one marked', async () => {
    givenProd(14);
    const { output, command } = setup();

    expect(await command.run(['--env', 'prod'])).toBe(ExitCode.OK);

    expect(output.lines).toEqual([
      'Environment prod: ECS cluster prod-cluster in eu-west-1',
      '',
      `backend (service ${SERVICE}) runs ${FAMILY}:14 (commit aaaa1111bbbb)`,
      '     REVISION                                 COMMIT        REGISTERED         IMAGE',
      `  →  ${FAMILY}:14  aaaa1111bbbb  2026-12-04 09:30Z  cdk-hnb659fds-container-assets-222222222222-eu-west-1:abababababab…`,
      `     ${FAMILY}:13  3f2c9a1b7d4e  2026-12-03 09:30Z  cdk-hnb659fds-container-assets-222222222222-eu-west-1:abababababab…`,
      `     ${FAMILY}:12  0123456789ab  2026-12-02 09:30Z  cdk-hnb659fds-container-assets-222222222222-eu-west-1:abababababab…`,
    ]);
    // Only ACTIVE revisions (an INACTIVE one cannot be put back on a service), newest first.
    expect(ecsMock.commandCalls(ListTaskDefinitionsCommand)[0].args[0].input).toEqual({
      familyPrefix: FAMILY,
      status: 'ACTIVE',
      sort: 'DESC',
    });
    // The running revision (for the app's container name), then the family's others, each once; never another family's.
    expect(
      ecsMock.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition),
    ).toEqual([`${ARN}/${FAMILY}:14`, `${ARN}/${FAMILY}:13`, `${ARN}/${FAMILY}:12`]);
  });

  test('GIVEN --limit 1 WHEN listed THEN only the newest revision is described, after the running one', async () => {
    givenProd(13);
    const { command } = setup();
    expect(await command.run(['--env', 'prod', '--limit', '1'])).toBe(ExitCode.OK);
    expect(
      ecsMock.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition),
    ).toEqual([`${ARN}/${FAMILY}:13`, `${ARN}/${FAMILY}:14`]);
  });

  test('GIVEN an abbreviated older commit WHEN searched THEN its revision and the one command that puts it back are printed', async () => {
    givenProd(14);
    const { output, command } = setup();

    expect(await command.run(['--env', 'prod', '--commit', '3F2C9A1'])).toBe(ExitCode.OK);

    expect(output.text).toContain(`     ${FAMILY}:13  3f2c9a1b7d4e`);
    expect(output.text).not.toContain(`${FAMILY}:12  `);
    expect(output.text).toContain(
      `aws ecs update-service --cluster prod-cluster --service ${SERVICE} --task-definition ${FAMILY}:13 --region eu-west-1`,
    );
    // Any later deploy that updates the service puts the stack's revision back, and verify fails on it until the revert.
    expect(output.text).toContain(
      'push the revert (git revert <the bad commit>) before any other change to this service',
    );
    expect(output.text).toContain("the pipeline's verify fails on this service");
  });

  test('GIVEN the commit the service already runs WHEN searched THEN it says so and prints no command', async () => {
    givenProd(13);
    const { output, command } = setup();

    expect(await command.run(['--env', 'prod', '--commit', '3f2c9a1b7d4e'])).toBe(ExitCode.OK);

    expect(output.text).toContain('✔ backend runs this commit already.');
    expect(output.text).not.toContain('update-service');
  });

  test('GIVEN a commit no recent revision has WHEN searched THEN it fails, saying why a commit may have none', async () => {
    givenProd(14);
    const { output, command } = setup();

    expect(await command.run(['--env', 'prod', '--commit', 'fedcba9'])).toBe(ExitCode.FAILED);

    expect(output.errors).toEqual([
      expect.stringMatching(
        /^✖ No revision within the latest 10 of backend has commit fedcba9\. A commit that did not change an image has no revision of its own .* pass --limit/,
      ),
    ]);
  });

  test('GIVEN a revision registered before labels WHEN listed THEN its commit is shown as unknown, not guessed', async () => {
    givenProd(14);
    ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: `${ARN}/${FAMILY}:12` }).resolves({
      taskDefinition: { family: FAMILY, revision: 12, containerDefinitions: [container('busybox:1.36')] },
    });
    const { output, command } = setup();

    expect(await command.run(['--env', 'prod'])).toBe(ExitCode.OK);

    expect(output.lines).toContainEqual(`     ${FAMILY}:12  -             ?                  busybox:1.36`);
  });

  test.each([
    [['--env', 'prod', '--commit', 'abc'], /--commit must be 7 to 40 hexadecimal characters/],
    [['--env', 'prod', '--commit', 'main'], /--commit must be 7 to 40 hexadecimal characters/],
    [['--env', 'prod', '--limit', '0'], /--limit must be a whole number ≥ 1; got "0"/],
    [['--commit', 'abcdef1'], /--env is required/],
  ])('GIVEN %j THEN it is a usage error that says what to pass', async (argv, message) => {
    const { command } = setup();
    await expect(command.run(argv)).rejects.toThrow(UsageError);
    await expect(command.run(argv)).rejects.toThrow(message);
  });

  test.each([['backend'], [SERVICE]])(
    "GIVEN --service %s (the app's name, or the name CloudFormation gave the ECS service) THEN it lists that service",
    async (name) => {
      givenProd(14);
      const { output, command } = setup();
      expect(await command.run(['--env', 'prod', '--service', name])).toBe(ExitCode.OK);
      expect(output.lines[2]).toBe(`backend (service ${SERVICE}) runs ${FAMILY}:14 (commit aaaa1111bbbb)`);
    },
  );

  test('GIVEN a service the cluster does not have WHEN asked THEN it names the services it has', async () => {
    givenProd(14);
    const { command } = setup();
    await expect(command.run(['--env', 'prod', '--service', 'api'])).rejects.toThrow(
      'No service api in cluster prod-cluster; its services are backend.',
    );
  });

  test('GIVEN access is denied WHEN listed THEN it names the permissions images needs', async () => {
    givenProd(14);
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const { output, command } = setup();

    expect(await command.run(['--env', 'prod'])).toBe(ExitCode.FAILED);

    expect(output.errors[0]).toMatch(/ecs:ListTaskDefinitions and ecs:DescribeTaskDefinition/);
  });
});

test('formatRevisions pads columns to the widest value', () => {
  expect(
    formatRevisions(
      [
        { name: 'frontend:100', revision: 100, commit: 'a'.repeat(40), image: 'nginx:1', registeredAt: undefined },
        { name: 'frontend:99', revision: 99, image: 'repo@sha256:' + 'f'.repeat(64) },
      ],
      'frontend:99',
    ),
  ).toEqual([
    '   REVISION      COMMIT        REGISTERED  IMAGE',
    '   frontend:100  aaaaaaaaaaaa  ?           nginx:1',
    '→  frontend:99   -             ?           repo@sha256:ffffffffffff…',
  ]);
});
