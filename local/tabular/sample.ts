/**
 * A small tabular sample in the spirit of the UCI Adult ("Census Income") data: does a person earn over 50K a year,
 * from age, years of education, hours worked per week, capital gain and capital loss. SYNTHETIC: no row comes from
 * the real Adult data (whose licence we have not checked for shipping); every row is generated here, deterministically,
 * by `generateSample()` from the seed SAMPLE_SEED with the mulberry32 PRNG (common/seeded-random.ts). The same code
 * gives the same 200 rows on every machine (only integer arithmetic, Math.imul, Math.log, Math.exp and Math.sqrt are
 * involved).
 *
 * How a row is made: age uniform 18-75; education years 6-16 (a rounded normal around 10.5, sd 2.5); hours per week a
 * rounded normal around 40 (sd 10, clamped to 5-80); capital gain 0 for about 90% of rows, else 1,000-20,000;
 * capital loss 0 for about 95%, else 1,000-2,500. The label is drawn from a logistic model of these with noise, so
 * 63 of the 200 rows (32%) are over 50K (the real data has about 24%) and no model can be perfect.
 */
import { mulberry32 } from '../../common/seeded-random';

export const SAMPLE_SEED = 20240514;
export const SAMPLE_SIZE = 200;

/** The features, in the order the model, its contributions and the chart use them. */
export const FEATURES = ['age', 'education_years', 'hours_per_week', 'capital_gain', 'capital_loss'] as const;
export type Feature = (typeof FEATURES)[number];

export interface TabularRow {
  /** 1-based, stable: the row number reviewers see. */
  readonly id: number;
  readonly age: number;
  readonly education_years: number;
  readonly hours_per_week: number;
  readonly capital_gain: number;
  readonly capital_loss: number;
  /** 1: income over 50K. */
  readonly label: 0 | 1;
}

/** A standard normal draw (Box-Muller) from two uniform draws. */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const clamp = (x: number, low: number, high: number) => Math.min(high, Math.max(low, x));
const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

/** The latent log-odds the labels are drawn from (not the scorer's weights: those are fitted, see fit.ts). */
function latentLogOdds(row: Omit<TabularRow, 'id' | 'label'>): number {
  return (
    -9.2 +
    0.05 * row.age +
    0.38 * row.education_years +
    0.04 * row.hours_per_week +
    0.45 * Math.log1p(row.capital_gain) +
    0.3 * Math.log1p(row.capital_loss)
  );
}

function generateRow(random: () => number, id: number): TabularRow {
  const features = {
    age: between(random, 18, 75),
    education_years: clamp(Math.round(10.5 + 2.5 * normal(random)), 6, 16),
    hours_per_week: clamp(Math.round(40 + 10 * normal(random)), 5, 80),
    capital_gain: random() < 0.1 ? between(random, 1000, 20000) : 0,
    capital_loss: random() < 0.05 ? between(random, 1000, 2500) : 0,
  };
  const p = 1 / (1 + Math.exp(-latentLogOdds(features)));
  return { id, ...features, label: random() < p ? 1 : 0 };
}

/** The synthetic sample: SAMPLE_SIZE rows from SAMPLE_SEED, the same every time. */
export function generateSample(seed = SAMPLE_SEED, size = SAMPLE_SIZE): TabularRow[] {
  const random = mulberry32(seed);
  return Array.from({ length: size }, (_, i) => generateRow(random, i + 1));
}
