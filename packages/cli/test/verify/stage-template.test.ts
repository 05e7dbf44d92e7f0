import * as path from 'node:path';
import { imageReference, imageReferences, readStageTemplate } from '../../src/verify/stage-template';
import { removeAssemblies, writeAssembly } from '../assembly/assembly-fixture';

afterAll(removeAssemblies);

test.each([
  ['111111111111.dkr.ecr.eu-west-1.amazonaws.com/repo:abc123', 'abc123'],
  ['localhost:5000/team/app:1.2', '1.2'],
  ['public.ecr.aws/nginx/nginx-unprivileged', 'latest'],
  ['repo@sha256:0123', 'sha256:0123'],
])("the image reference of %s is %s (tag, digest, or Docker's default tag)", (image, reference) => {
  expect(imageReference(image)).toBe(reference);
});

test.each([
  ['repo:abc123@sha256:0123', ['abc123', 'sha256:0123']],
  ['localhost:5000/team/app@sha256:0123', ['sha256:0123']],
  ['localhost:5000/team/app:1.2', ['1.2']],
])('the references of %s are %j (a tag and a digest may both be named)', (image, references) => {
  expect(imageReferences(image)).toEqual(references);
});

test('GIVEN task definitions whose images are Fn::Sub, Fn::Join and plain strings WHEN read THEN each family lists its containers with tag and GIT_SHA', () => {
  // GIVEN a template as CloudFormation reads it, and the asset manifest CDK writes beside it
  const dir = writeAssembly({
    stacks: {
      DevApp: {
        template: {
          Resources: {
            Api: {
              Type: 'AWS::ECS::TaskDefinition',
              Properties: {
                Family: 'DevAppApi',
                ContainerDefinitions: [
                  { Name: 'api', Image: { 'Fn::Sub': '111111111111.dkr.ecr.eu-west-1.${AWS::URLSuffix}/assets:feed' } },
                  { Name: 'sidecar', Image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0' },
                ],
              },
            },
            Web: {
              Type: 'AWS::ECS::TaskDefinition',
              Properties: {
                Family: 'DevAppWeb',
                ContainerDefinitions: [
                  { Name: 'web', Image: { 'Fn::Join': ['', [{ Ref: 'AWS::AccountId' }, '.dkr.ecr/web:beef']] } },
                ],
              },
            },
            Bucket: { Type: 'AWS::S3::Bucket' },
          },
        },
        assets: {
          dockerImages: {
            feed: {
              source: { directory: 'asset.feed', dockerBuildArgs: { GIT_SHA: 'c0ffee' } },
              destinations: { d: { repositoryName: 'assets', imageTag: 'feed' } },
            },
          },
        },
      },
    },
  });
  const templateFile = path.join(dir, 'DevApp.template.json');
  // WHEN
  const stage = readStageTemplate(templateFile);
  // THEN
  expect(Object.fromEntries(stage.families)).toEqual({
    DevAppApi: [
      {
        name: 'api',
        image: '111111111111.dkr.ecr.eu-west-1.${AWS::URLSuffix}/assets:feed',
        reference: 'feed',
        gitSha: 'c0ffee',
        asset: true,
      },
      {
        name: 'sidecar',
        image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0',
        reference: 'v0.40.0',
        gitSha: undefined,
        asset: false,
      },
    ],
    DevAppWeb: [{ name: 'web', image: '${...}.dkr.ecr/web:beef', reference: 'beef', gitSha: undefined, asset: false }],
  });
});

test('a file that is not a CloudFormation template is a usage error naming it', () => {
  const file = path.join(writeAssembly({ stacks: { x: { template: { hello: 1 } } } }), 'x.template.json');
  expect(() => readStageTemplate(file)).toThrow(
    /x\.template\.json has no Resources: it is not a CloudFormation template/,
  );
});
