import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { checkServiceImages } from '../../src/verify/image-check';
import { ExpectedContainer, StageTemplate } from '../../src/verify/stage-template';
import { imagesSummary } from '../../src/verify/verify-command';

const ecsMock = mockClient(ECSClient);
beforeEach(() => ecsMock.reset());

const ASSET_TAG = 'c5f4916f164e0a8b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567ab';
const ASSET: ExpectedContainer = {
  name: 'app',
  image: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-111111111111-eu-west-1:${ASSET_TAG}`,
  reference: ASSET_TAG,
  asset: true,
};
const PROXY: ExpectedContainer = {
  name: 'proxy',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  reference: '1.27',
  asset: false,
};
const stage = (containers: ExpectedContainer[]): StageTemplate => ({
  file: 'DevApp.template.json',
  families: new Map([['web', containers]]),
  assetManifests: [],
});

/** One RUNNING task of web:3 whose containers report these images and digests, as DescribeTasks does. */
function running(containers: { name: string; image: string; imageDigest?: string }[]) {
  const taskArn = 'arn:aws:ecs:eu-west-1:111111111111:task/dev/0123456789abcdef';
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn] });
  ecsMock.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn,
        lastStatus: 'RUNNING',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:3',
        containers: containers.map((container) => ({ ...container, lastStatus: 'RUNNING' })),
      },
    ],
  });
}

test('a registry image named by tag is checked by its tag, digest or not; an asset still needs its digest', async () => {
  // GIVEN a task whose asset image reports its digest and whose registry image (a sidecar) reports none
  running([
    { name: 'app', image: ASSET.image, imageDigest: `sha256:${'b'.repeat(64)}` },
    { name: 'proxy', image: PROXY.image },
  ]);
  // WHEN
  const check = await checkServiceImages(new ECSClient({ region: 'eu-west-1' }), 'dev', 'web', stage([ASSET, PROXY]));
  // THEN
  expect(check).toMatchObject({ ok: true });
  expect(check.detail).toBe(
    `1 task of web:3 run app c5f4916f164e… (sha256:bbbbbbbbbbbb…), proxy public.ecr.aws/nginx/nginx:1.27 (a registry image, as the template names it)`,
  );
});

test('an asset image without a digest still fails: only a digest proves what this run published runs', async () => {
  running([
    { name: 'app', image: ASSET.image },
    { name: 'proxy', image: PROXY.image },
  ]);
  const check = await checkServiceImages(new ECSClient({ region: 'eu-west-1' }), 'dev', 'web', stage([ASSET, PROXY]));
  expect(check).toMatchObject({
    ok: false,
    detail: 'container app of task 0123456789abcdef reports no image digest yet',
  });
});

test('a registry image that runs another tag than the template names fails', async () => {
  running([
    { name: 'app', image: ASSET.image, imageDigest: `sha256:${'b'.repeat(64)}` },
    { name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1.26' },
  ]);
  const check = await checkServiceImages(new ECSClient({ region: 'eu-west-1' }), 'dev', 'web', stage([ASSET, PROXY]));
  expect(check).toMatchObject({
    ok: false,
    detail:
      'container proxy of task 0123456789abcdef runs public.ecr.aws/nginx/nginx:1.26, not public.ecr.aws/nginx/nginx:1.27',
  });
});

test("the pipeline's summary vouches for this run's builds only, and names the registry images", () => {
  expect(imagesSummary([{ service: 'web', ok: true, detail: '', containers: [ASSET] }])).toBe(
    'every task runs the images this run built',
  );
  expect(imagesSummary([{ service: 'web', ok: true, detail: '', containers: [ASSET, PROXY] }])).toBe(
    "every task runs the images the template names (this run's builds by content hash; public.ecr.aws/nginx/nginx:1.27 from a registry, by its reference)",
  );
});
