import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDockerfile } from '../../build-tools/fargate-contract/dockerfile';
import { baseImageFacts } from '../../build-tools/fargate-contract/image-facts';
import { REPOSITORY_ROOT } from '../../src/app';

// What the Fargate contract check reads from a Dockerfile (the check itself needs root: test:fargate).

const read = (file: string) => fs.readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8');

describe('the images of this repository, as the check reads them', () => {
  test('frontend: nginx as uid 101 with a VOLUME at /tmp, its site and configuration copied in', () => {
    const image = parseDockerfile(read('packages/frontend/Dockerfile'), 'packages/frontend/Dockerfile');

    expect(image).toMatchObject({
      user: '101',
      volumes: ['/tmp'],
      entrypoint: ['nginx', '-g', 'daemon off;'],
      cmd: [],
      stopSignal: 'SIGQUIT',
      labels: { 'org.opencontainers.image.title': 'slipway-frontend' },
    });
    expect(
      image.copies.map((copy) => `${copy.from ?? 'context'}:${copy.sources.join(',')}->${copy.destination}`),
    ).toEqual([
      'context:nginx/nginx.conf->/etc/nginx/nginx.conf',
      'context:nginx/conf.d/->/etc/nginx/conf.d/',
      'context:nginx/snippets/->/etc/nginx/snippets/',
      'build:/build/dist/->/usr/share/nginx/html/',
    ]);
    expect(baseImageFacts(image.baseImage).users['101']).toEqual({ uid: 101, gid: 101 });
  });

  test('backend: node as the node user in /app, the bundle copied to a path relative to WORKDIR', () => {
    const image = parseDockerfile(read('packages/backend/Dockerfile'), 'packages/backend/Dockerfile', {
      GIT_SHA: 'c0ffee',
    });

    expect(image).toMatchObject({ user: 'node', workdir: '/app', volumes: ['/tmp'], cmd: ['node', 'dist/server.js'] });
    expect(image.env).toMatchObject({ NODE_ENV: 'production', PORT: '8000', GIT_SHA: 'c0ffee' });
    expect(image.copies.map((copy) => copy.destination)).toEqual(['/app/dist/', '/app/migrations/']);
    expect(baseImageFacts(image.baseImage).tools).not.toContain('curl');
  });
});

describe('Dockerfile syntax the check understands', () => {
  const dockerfile = [
    '# syntax is a comment here',
    'ARG BASE=public.ecr.aws/docker/library/node:24-bookworm-slim',
    'FROM ${BASE} AS build',
    'RUN echo build',
    'FROM ${BASE}',
    'ARG VERSION=1',
    'ENV A=1 B="two words" \\',
    '    C=${VERSION}',
    'WORKDIR /srv',
    'WORKDIR app',
    'COPY --chown=node:node ["a b.txt", "./"]',
    'VOLUME /var/cache /tmp',
    'ENTRYPOINT ["node"]',
    'CMD server.js --port 1',
    'STOPSIGNAL INT',
  ].join('\n');

  test('global ARGs in FROM, stage ARGs and ENV with continuation lines, WORKDIR chains, exec and shell forms', () => {
    const image = parseDockerfile(dockerfile, 'Dockerfile', { VERSION: '2' });

    expect(image).toMatchObject({
      baseImage: 'public.ecr.aws/docker/library/node:24-bookworm-slim',
      env: { A: '1', B: 'two words', C: '2' },
      workdir: '/srv/app',
      volumes: ['/var/cache', '/tmp'],
      entrypoint: ['node'],
      cmd: ['/bin/sh', '-c', 'server.js --port 1'],
      stopSignal: 'SIGINT',
    });
    expect(image.copies).toEqual([
      { from: undefined, chown: 'node:node', sources: ['a b.txt'], destination: '/srv/app/', line: 11 },
    ]);
  });

  test('a base image without checked facts is refused with the place to add them', () => {
    expect(() => baseImageFacts('docker.io/library/nginx:latest')).toThrow(
      /no facts for base image docker\.io\/library\/nginx:latest: .*Add an entry to BASE_IMAGES/,
    );
  });

  test('a malformed instruction names the file and line', () => {
    expect(() => parseDockerfile('FROM x\nCMD ["unterminated', 'Dockerfile')).toThrow(
      /^Dockerfile:2: expected a JSON array/,
    );
  });
});
