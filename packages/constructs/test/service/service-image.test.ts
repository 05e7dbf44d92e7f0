import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { SlipwayCluster } from '../../src/cluster';
import { SlipwayNetwork } from '../../src/network';
import { InternalService, imageRevision, isDirectoryImage } from '../../src/service';
import { TestStack, spotSettings } from '../fixtures/stacks';

describe('service images', () => {
  test('GIVEN a Dockerfile directory and a git SHA WHEN synthesized THEN the image asset is staged with GIT_SHA as a build argument', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-image-'));
    fs.writeFileSync(path.join(directory, 'Dockerfile'), 'FROM scratch\nARG GIT_SHA\nLABEL revision=$GIT_SHA\n');
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-out-')) });
    const stack = new TestStack(app);
    const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a'] });
    const cluster = new SlipwayCluster(stack, 'Cluster', { vpc: network.vpc, serviceDiscoveryNamespace: 'dev.local' });
    new InternalService(stack, 'Worker', {
      cluster: cluster.cluster,
      serviceName: 'worker',
      ...spotSettings,
      containerPort: 9000,
      gitSha: 'abc1234',
      image: { directory, buildArgs: { NODE_ENV: 'production' } },
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
    });
    const assembly = app.synth();

    const assets = JSON.parse(
      fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'),
    );
    const images = Object.values(assets.dockerImages) as Array<{
      source: { dockerBuildArgs: Record<string, string>; platform: string };
    }>;
    expect(images).toHaveLength(1);
    expect(images[0].source.dockerBuildArgs).toEqual({ NODE_ENV: 'production', GIT_SHA: 'abc1234' });
    expect(images[0].source.platform).toBe('linux/arm64');
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({ Image: { 'Fn::Sub': Match.stringLikeRegexp('cdk-hnb659fds-container-assets') } }),
      ],
    });
  });

  test('GIVEN each kind of image WHEN its revision is asked THEN it is the commit the app gave that image, if any', () => {
    const registry = ecs.ContainerImage.fromRegistry('busybox');
    expect(imageRevision({ directory: '/app', buildArgs: { GIT_SHA: 'aaa111' } }, undefined)).toBe('aaa111');
    expect(imageRevision({ directory: '/app', buildArgs: { GIT_SHA: 'aaa111' } }, 'bbb222')).toBe('bbb222');
    expect(imageRevision({ directory: '/app' }, undefined)).toBeUndefined();
    expect(imageRevision({ image: registry, revision: 'ccc333' }, 'bbb222')).toBe('ccc333');
    expect(imageRevision({ image: registry }, 'bbb222')).toBeUndefined();
  });

  test('GIVEN an image without a known commit WHEN synthesized THEN its container has no revision label', () => {
    const app = new App();
    const stack = new TestStack(app);
    const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a'] });
    const cluster = new SlipwayCluster(stack, 'Cluster', { vpc: network.vpc, serviceDiscoveryNamespace: 'dev.local' });
    new InternalService(stack, 'Worker', {
      cluster: cluster.cluster,
      serviceName: 'worker',
      ...spotSettings,
      containerPort: 9000,
      image: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36') },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ DockerLabels: Match.absent() })],
    });
  });

  test('GIVEN image kinds THEN they are told apart', () => {
    expect(isDirectoryImage({ directory: '/app' })).toBe(true);
    expect(isDirectoryImage({ image: ecs.ContainerImage.fromRegistry('busybox') })).toBe(false);
  });
});
