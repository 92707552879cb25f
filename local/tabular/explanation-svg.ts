/**
 * A record's explanation as a self-contained SVG bar chart: one bar per feature contribution (SHAP value on the
 * log-odds, model.ts), to the right in red when it pushes towards class 1 (over 50K), to the left in blue when it
 * pushes towards 0. Feature names, values and contributions are text; the title names the record and its score.
 * Accessible (role="img" with <title> and <desc>), no fonts, scripts or links to fetch, and deterministic: the same
 * input gives the same bytes.
 */
import type { Contribution, Score } from './model';

export interface ExplainedRecord extends Score {
  /** The row as reviewers see it ("3"). */
  readonly row: string;
}

const WIDTH = 640;
const LABEL_WIDTH = 240;
const VALUE_WIDTH = 70;
const BAR_HEIGHT = 20;
const ROW_HEIGHT = 28;
const TOP = 56;
const POSITIVE = '#c0392b';
const NEGATIVE = '#2471a3';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value, safe in XML. */
export function escapeXml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

/** A number with fixed decimals and an explicit sign: "+0.512", "-1.204". */
function signed(x: number): string {
  const text = Math.abs(x).toFixed(3);
  return `${x < 0 && text !== '0.000' ? '-' : '+'}${text}`;
}

function titleOf(record: ExplainedRecord): string {
  return `Record ${record.row}: prediction ${record.prediction}, score ${record.probability_score.toFixed(4)}`;
}

function descriptionOf(contributions: readonly Contribution[]): string {
  const parts = contributions.map((c) => `${c.feature} = ${c.value}: ${signed(c.contribution)}`);
  return `Feature contributions to the log-odds of class 1 (positive pushes towards 1): ${parts.join('; ')}.`;
}

/** One feature's row: its label, its bar from the axis, and its contribution. */
function barRow(c: Contribution, index: number, axis: number, halfWidth: number, max: number): string {
  const y = TOP + index * ROW_HEIGHT;
  const length = max === 0 ? 0 : (Math.abs(c.contribution) / max) * halfWidth;
  const x = c.contribution < 0 ? axis - length : axis;
  const colour = c.contribution < 0 ? NEGATIVE : POSITIVE;
  const textY = y + BAR_HEIGHT / 2 + 5;
  return [
    `<text x="${LABEL_WIDTH - 8}" y="${textY}" text-anchor="end">${escapeXml(`${c.feature} = ${c.value}`)}</text>`,
    `<rect x="${x.toFixed(2)}" y="${y}" width="${length.toFixed(2)}" height="${BAR_HEIGHT}" fill="${colour}"/>`,
    `<text x="${WIDTH - 8}" y="${textY}" text-anchor="end">${signed(c.contribution)}</text>`,
  ].join('');
}

/** The SVG document (as text) of a record's contributions. */
export function explanationSvg(record: ExplainedRecord, contributions: readonly Contribution[]): string {
  const height = TOP + contributions.length * ROW_HEIGHT + 16;
  const halfWidth = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / 2;
  const axis = LABEL_WIDTH + halfWidth;
  const max = Math.max(0, ...contributions.map((c) => Math.abs(c.contribution)));
  const title = escapeXml(titleOf(record));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}"`,
    ` role="img" aria-labelledby="title desc" font-family="sans-serif" font-size="13">`,
    `<title id="title">${title}</title>`,
    `<desc id="desc">${escapeXml(descriptionOf(contributions))}</desc>`,
    `<text x="8" y="22" font-size="15" font-weight="bold">${title}</text>`,
    `<text x="8" y="42" fill="#555">red: towards 1 (over 50K), blue: towards 0; SHAP values on the log-odds</text>`,
    `<line x1="${axis}" y1="${TOP - 4}" x2="${axis}" y2="${height - 12}" stroke="#333"/>`,
    ...contributions.map((c, i) => barRow(c, i, axis, halfWidth, max)),
    `</svg>\n`,
  ].join('');
}
