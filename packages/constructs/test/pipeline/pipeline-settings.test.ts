import { SlipwayConfigError } from '../../src/config/slipway-config-error';
import {
  announcedOutcomes,
  definePipeline,
  findPipelinePlaceholders,
  isPlaceholderRepository,
  PipelineSettings,
} from '../../src/pipeline/pipeline-settings';

const VALID: PipelineSettings = {
  repository: 'acme/shop',
  branch: 'main',
  connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0d1e2f30-1111-4222-8333-444455556666',
  account: '111111111111',
  region: 'eu-west-1',
};

test('valid settings are returned unchanged', () => {
  expect(definePipeline(VALID)).toBe(VALID);
  expect(
    definePipeline({ ...VALID, connectionArn: VALID.connectionArn.replace('codeconnections', 'codestar-connections') }),
  ).toBeDefined();
});

test.each([
  [
    { repository: 'https://github.com/acme/shop' },
    'environments/index.ts: pipeline.repository must be "owner/name" as on the repository host; got "https://github.com/acme/shop". Use the repository\'s "owner/name", e.g. "acme/shop".',
  ],
  [{ branch: 'my branch' }, 'pipeline.branch must be a git branch name; got "my branch"'],
  [
    { connectionArn: 'arn:aws:codecommit:eu-west-1:111111111111:shop' },
    'pipeline.connectionArn must be a CodeConnections connection ARN; got "arn:aws:codecommit:eu-west-1:111111111111:shop". Create a connection with `aws codeconnections create-connection',
  ],
  [
    { account: 111111111111 as unknown as string },
    'pipeline.account must be a string; got 111111111111. Quote the account id',
  ],
  [{ region: 'Ireland' }, 'pipeline.region must be an AWS region code; got "Ireland". Use e.g. eu-west-1.'],
  [{ notifyEmail: 'ops' }, 'pipeline.notifyEmail must be an email address; got "ops"'],
  [{ synth: { commands: [] } }, 'pipeline.synth.commands must list at least one command; got []'],
  [{ brnach: 'main' }, 'pipeline.brnach is not a known setting; got "main". Remove it or correct its spelling'],
])('%j is refused with field, value and fix', (override, message) => {
  expect(() => definePipeline({ ...VALID, ...override } as PipelineSettings)).toThrow(SlipwayConfigError);
  expect(() => definePipeline({ ...VALID, ...override } as PipelineSettings)).toThrow(message);
});

test('a missing field is named as required', () => {
  const { branch: _branch, ...withoutBranch } = VALID;
  expect(() => definePipeline(withoutBranch as PipelineSettings)).toThrow('pipeline.branch is required; got nothing.');
});

describe('findPipelinePlaceholders', () => {
  test('names the sample account, an all-zero connection and an example.com address', () => {
    const issues = findPipelinePlaceholders({
      ...VALID,
      connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
      notifyEmail: 'releases@example.com',
    });
    expect(issues.map((issue) => issue.field)).toEqual([
      'pipeline.account',
      'pipeline.connectionArn',
      'pipeline.notifyEmail',
    ]);
  });

  test('finds nothing in real-looking settings', () => {
    expect(
      findPipelinePlaceholders({
        ...VALID,
        account: '380145624931',
        connectionArn: VALID.connectionArn.replace('111111111111', '380145624931'),
        notifyEmail: 'releases@shop.io',
      }),
    ).toEqual([]);
  });
});

describe('isPlaceholderRepository', () => {
  test.each([['example-org/shop'], ['example/shop'], ['your-org/shop'], ['Example-Org/shop']])(
    '%s is a placeholder (what projen new writes until the repository is named)',
    (repository) => {
      expect(isPlaceholderRepository(repository)).toBe(true);
    },
  );

  test.each([['acme/shop'], ['slipway-dev/slipway'], ['examples-inc/shop'], ['acme/example-org']])(
    '%s is a real repository',
    (repository) => {
      expect(isPlaceholderRepository(repository)).toBe(false);
    },
  );
});

describe('notifications', () => {
  test('are valid with notifyEmail, for any outcomes or none', () => {
    const withEmail = { ...VALID, notifyEmail: 'releases@shop.io' };
    expect(definePipeline({ ...withEmail, notifications: { on: ['failed', 'succeeded'] } })).toBeDefined();
    expect(definePipeline({ ...withEmail, notifications: { on: ['succeeded'] } })).toBeDefined();
    expect(definePipeline({ ...withEmail, notifications: { on: [] } })).toBeDefined();
    // With nothing to announce there is nothing to send: no address needed.
    expect(definePipeline({ ...VALID, notifications: { on: [] } })).toBeDefined();
  });

  test.each([
    [
      { notifyEmail: 'releases@shop.io', notifications: { on: ['deployed'] } },
      "environments/index.ts: pipeline.notifications.on.0 must be 'failed' or 'succeeded'; got \"deployed\". Use e.g. { on: ['failed', 'succeeded'] }, { on: ['failed'] }, or { on: [] } for none.",
    ],
    [
      { notifyEmail: 'releases@shop.io', notifications: { on: ['failed', 'failed'] } },
      'pipeline.notifications.on must not list an outcome twice; got ["failed","failed"]. Remove the duplicate.',
    ],
    [
      { notifyEmail: 'releases@shop.io', notifications: { on: 'failed' } },
      'pipeline.notifications.on must be a list of outcomes; got "failed"',
    ],
    [{ notifyEmail: 'releases@shop.io', notifications: {} }, 'pipeline.notifications.on is required; got nothing.'],
    [
      { notifyEmail: 'releases@shop.io', notifications: { on: ['failed'], detail: 'full' } },
      'pipeline.notifications.detail is not a known setting',
    ],
    [
      { notifications: { on: ['failed'] } },
      'environments/index.ts: pipeline.notifications.on needs pipeline.notifyEmail, the address the outcomes are sent to; got ["failed"]. Set notifyEmail, or leave notifications out.',
    ],
  ])('%j is refused with field, value and fix', (override, message) => {
    expect(() => definePipeline({ ...VALID, ...override } as PipelineSettings)).toThrow(SlipwayConfigError);
    expect(() => definePipeline({ ...VALID, ...override } as PipelineSettings)).toThrow(message);
  });
});

describe('announcedOutcomes', () => {
  test('every outcome by default when notifyEmail is set, none without it, else what notifications lists', () => {
    expect(announcedOutcomes({ ...VALID, notifyEmail: 'releases@shop.io' })).toEqual(['failed', 'succeeded']);
    expect(announcedOutcomes(VALID)).toEqual([]);
    expect(announcedOutcomes({ ...VALID, notifyEmail: 'releases@shop.io', notifications: { on: ['failed'] } })).toEqual(
      ['failed'],
    );
  });
});
