import type { github } from 'projen';

/**
 * The packages the build workflow installs from Ubuntu's archive before `npx projen build`: nginx for the
 * frontend's config tests and (with busybox, the Alpine image's wget) the Fargate contract check; PostgreSQL and
 * Redis for the backend's database and cache tests. Chromium comes with GitHub's Ubuntu runners as google-chrome.
 */
export const CI_APT_PACKAGES: readonly string[] = ['nginx', 'busybox', 'postgresql', 'redis-server'];

/**
 * Starts PostgreSQL and Redis on free loopback ports, each from a scratch folder (no systemd service, no
 * password), and hands their URLs to the following steps through `$GITHUB_ENV`. The backend's tests read
 * TEST_DATABASE_URL and TEST_REDIS_URL, and with CI=true (which the build workflow sets) fail without them
 * rather than test less. `initdb` refuses to run as root, so as root the server runs as the `postgres` user the
 * Debian/Ubuntu package creates. Bash, as GitHub runs a step's `run` on Linux.
 */
export const START_TEST_SERVICES_SCRIPT = [
  'set -euo pipefail',
  `free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }`,
  'pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)',
  'pg_data=$(mktemp -d "${RUNNER_TEMP:-/tmp}/postgres.XXXXXX")',
  'pg_port=$(free_port)',
  'redis_port=$(free_port)',
  'as_postgres=()',
  'if [ "$(id -u)" = 0 ]; then chown postgres: "$pg_data"; as_postgres=(runuser -u postgres --); fi',
  '"${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust >/dev/null',
  '"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_data" start',
  `redis-server --bind 127.0.0.1 --port "$redis_port" --daemonize yes --save '' --appendonly no --dir "$pg_data" --logfile "$pg_data/redis.log"`,
  'for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done',
  'redis-cli -h 127.0.0.1 -p "$redis_port" ping',
  'echo "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/postgres" >> "$GITHUB_ENV"',
  'echo "TEST_REDIS_URL=redis://127.0.0.1:$redis_port" >> "$GITHUB_ENV"',
].join('\n');

/** The build workflow's steps before `npx projen build`: the system packages, then the test servers. */
export function testServiceSteps(): github.workflows.JobStep[] {
  return [
    {
      name: 'Install nginx, busybox, PostgreSQL and Redis',
      run: `sudo apt-get update && sudo apt-get install -y ${CI_APT_PACKAGES.join(' ')}`,
    },
    { name: 'Start PostgreSQL and Redis on loopback', shell: 'bash', run: START_TEST_SERVICES_SCRIPT },
  ];
}
