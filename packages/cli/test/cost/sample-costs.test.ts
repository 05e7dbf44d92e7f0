import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * The bounds docs/cost.md promises for the sample app (environments/ and
 * packages/infra of this repository). `npx projen docs:check` proves the
 * generated tables in docs/cost.md match the synthesized sample; this test
 * holds those tables to the bounds written on the same page.
 */
const COST_DOC = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'cost.md');

function totals(): Record<string, { min: number; max: number }> {
  const text = fs.readFileSync(COST_DOC, 'utf8');
  const block = text.slice(text.indexOf('<!-- slipway:cost:start -->'), text.indexOf('<!-- slipway:cost:end -->'));
  const rows: Record<string, { min: number; max: number }> = {};
  for (const match of block.matchAll(/^\| (\w[\w/-]*) \| \$([\d,.]+) \| \$([\d,.]+) \|$/gm)) {
    rows[match[1]] = { min: Number(match[2].replace(/,/g, '')), max: Number(match[3].replace(/,/g, '')) };
  }
  return rows;
}

describe('the sample environments in docs/cost.md', () => {
  const sample = totals();

  test('the page lists dev, prod and the pipeline', () => {
    expect(Object.keys(sample)).toEqual(['Dev', 'Prod', 'Delivery']);
  });

  test('dev costs at most $35 a month at minimum capacity', () => {
    expect(sample.Dev.min).toBeLessThanOrEqual(35);
    expect(sample.Dev.max).toBe(sample.Dev.min); // no autoscaling in dev
  });

  // With the data tier: Aurora writer + reader, always on, at the assumed 1 ACU each ($175.20) and the cache.
  test('prod costs at most $520 at minimum and $620 at autoscaling maximum', () => {
    expect(sample.Prod.min).toBeLessThanOrEqual(520);
    expect(sample.Prod.max).toBeLessThanOrEqual(620);
    expect(sample.Prod.max).toBeGreaterThan(sample.Prod.min);
  });

  test('the pipeline costs at most $20 a month', () => {
    expect(sample.Delivery.min).toBeLessThanOrEqual(20);
  });

  test('the page states the bounds this test holds it to', () => {
    const text = fs.readFileSync(COST_DOC, 'utf8').replace(/\s+/g, ' ');
    expect(text).toContain(
      'dev at most $35 a month at minimum capacity; prod at most $520 at minimum and $620 at maximum; the pipeline at most $20',
    );
  });
});
