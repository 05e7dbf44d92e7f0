import type { LoadResult } from '../../bench/harness';
import { type BenchResults, checks, median, renderReport, replaceSection } from '../../bench/report';

function result(requestsPerSecond: number): LoadResult {
  return { requestsPerSecond, p50Ms: 1, p99Ms: 5, requests: requestsPerSecond * 5, cpuMicrosPerRequest: 50 };
}

const RESULTS: BenchResults = {
  profile: { connections: 50, durationSeconds: 5, warmupSeconds: 1 },
  rounds: 2,
  rawHealth: result(40_000),
  bareHealth: result(10_000),
  appHealth: result(9_500),
  stockGreeting: result(4_000),
  appGreeting: result(5_000),
  healthRatios: [0.9, 0.95, 1.1],
  greetingRatios: [1.3, 1.25, 1.2],
  startupMs: [120, 90, 100],
  bundleBytes: 1_200_000,
  appIdleRssMiB: 55,
  bareIdleRssMiB: 50,
  loadAverage: [0.5, 1.5],
};

describe('bench report', () => {
  test('judges each figure against the bound the issue sets', () => {
    expect(checks(RESULTS).map((check) => [check.value, check.met])).toEqual([
      ['0.95× (by CPU: 1.00×)', true],
      ['1.25× (by CPU: 1.00×)', false],
      ['100 ms', true],
      ['1.20 MB', true],
      ['55.0 MiB', true],
    ]);
  });

  test('says which targets were missed', () => {
    expect(renderReport(RESULTS, new Date('2025-01-02T03:04:05Z'))).toMatch(
      /Not met: this app ÷ stock setup, POST \/api\/greetings, req\/s\.$/,
    );
  });

  test('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('replaces only its own section of docs/performance.md', () => {
    const document = '# P\n<!-- a:start -->\nA\n<!-- a:end -->\n<!-- backend:start -->\nold\n<!-- backend:end -->\n';
    expect(replaceSection(document, 'backend', 'new')).toBe(
      '# P\n<!-- a:start -->\nA\n<!-- a:end -->\n<!-- backend:start -->\nnew\n<!-- backend:end -->\n',
    );
  });

  test('appends the section when its markers are missing', () => {
    expect(replaceSection('# P\n', 'backend', 'new')).toBe(
      '# P\n\n<!-- backend:start -->\nnew\n<!-- backend:end -->\n',
    );
  });
});
