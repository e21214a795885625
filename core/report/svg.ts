/**
 * Charts as inline SVG text: a report must open anywhere, offline, years later, so no chart library and
 * no script. Axes are labelled in the data's own units.
 */
import { escapeHtml } from './escape';

export interface Series {
  label: string;
  color: string;
  points: readonly { x: number; y: number }[];
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 32 };

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly Series[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<p class="empty">${escapeHtml(title)}: no data recorded.</p>`;
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x), xMin + 1);
  const yMax = Math.max(...all.map((p) => p.y), 1);
  const sx = (x: number): number => PAD.left + ((x - xMin) / (xMax - xMin)) * (WIDTH - PAD.left - PAD.right);
  const sy = (y: number): number => HEIGHT - PAD.bottom - (y / yMax) * (HEIGHT - PAD.top - PAD.bottom);
  const paths = series
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      return `<path d="${d}" fill="none" stroke="${escapeHtml(s.color)}" stroke-width="1.5"><title>${escapeHtml(s.label)}</title></path>`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<text x="${PAD.left + 8 + i * 160}" y="${PAD.top + 10}" fill="${escapeHtml(s.color)}" font-size="11">${escapeHtml(s.label)}</text>`)
    .join('');
  return [
    `<figure><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 10}" text-anchor="end" font-size="10">${fmt(yMax)}</text>`,
    `<text x="${PAD.left - 4}" y="${HEIGHT - PAD.bottom}" text-anchor="end" font-size="10">0</text>`,
    `<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="10">${fmt(xMin)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end" font-size="10">${fmt(xMax)} ${escapeHtml(xLabel)}</text>`,
    `<text x="12" y="${HEIGHT / 2}" font-size="10" transform="rotate(-90 12 ${HEIGHT / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text>`,
    paths,
    legend,
    `</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`,
  ].join('');
}

export function barChartSvg(title: string, unit: string, bars: readonly { label: string; values: readonly { name: string; value: number; color: string }[] }[]): string {
  if (bars.length === 0) return `<p class="empty">${escapeHtml(title)}: no data recorded.</p>`;
  const max = Math.max(1, ...bars.flatMap((b) => b.values.map((v) => v.value)));
  const rowHeight = 18 * Math.max(1, ...bars.map((b) => b.values.length)) + 8;
  const height = bars.length * rowHeight + 16;
  const barSpace = WIDTH - 120 - 110;
  const rows = bars
    .map((b, i) => {
      const y0 = 8 + i * rowHeight;
      const label = `<text x="4" y="${y0 + 13}" font-size="11">${escapeHtml(b.label)}</text>`;
      const rects = b.values
        .map((v, j) => {
          const w = (v.value / max) * barSpace;
          const y = y0 + j * 18;
          return `<rect x="120" y="${y}" width="${w.toFixed(1)}" height="14" fill="${escapeHtml(v.color)}"><title>${escapeHtml(`${v.name}: ${v.value} ${unit}`)}</title></rect><text x="${(124 + w).toFixed(1)}" y="${y + 11}" font-size="10">${escapeHtml(`${v.name} ${v.value} ${unit}`)}</text>`;
        })
        .join('');
      return label + rects;
    })
    .join('');
  return `<figure><svg viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fff"/>${rows}</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}
