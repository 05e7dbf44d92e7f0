import { formatSynthSummary } from '../src/synth-report';

test('formats one aligned row per environment and the pipeline under a heading', () => {
  const lines = formatSynthSummary(
    [
      { environment: 'dev', path: 'Delivery/Dev', stacks: ['shop-dev'], resources: 78, acknowledged: 30 },
      { environment: 'prod', path: 'Delivery/Prod', stacks: ['shop-prod'], resources: 107, acknowledged: 22 },
      { environment: 'pipeline', path: 'Delivery', stacks: ['shop-pipeline'], resources: 36, acknowledged: 80 },
    ],
    'packages/infra/cdk.out',
    3.14,
  );
  expect(lines).toEqual([
    'Synthesized packages/infra/cdk.out in 3.1s: 2 environments and the pipeline, no unacknowledged findings.',
    'ENVIRONMENT  STAGE          STACKS         RESOURCES  NAG (AwsSolutions, NIST 800-53 R5)',
    'dev          Delivery/Dev   shop-dev       78         passed, 30 acknowledged',
    'prod         Delivery/Prod  shop-prod      107        passed, 22 acknowledged',
    'pipeline     Delivery       shop-pipeline  36         passed, 80 acknowledged',
  ]);
});

test('says "environment" for one', () => {
  const [heading] = formatSynthSummary(
    [
      { environment: 'dev', path: 'Delivery/Dev', stacks: ['shop-dev'], resources: 1, acknowledged: 0 },
      { environment: 'pipeline', path: 'Delivery', stacks: ['shop-pipeline'], resources: 1, acknowledged: 0 },
    ],
    'cdk.out',
    1,
  );
  expect(heading).toBe('Synthesized cdk.out in 1.0s: 1 environment and the pipeline, no unacknowledged findings.');
});
