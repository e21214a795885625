/**
 * An experiment as one self-contained HTML file for a lab write-up: configuration, the journal as a
 * timeline, charts (inline SVG), the kernel log and the final state. No script, no external resource: it
 * opens offline in any browser and prints as it looks.
 */
import type { ArraySnapshot } from '../api/snapshot';
import type { JournalEntry, Step } from '../session/journal';
import type { Manifest } from '../session/manifest';
import { escapeHtml } from './escape';
import type { LogLine, ProgressSample } from './recorder';
import { barChartSvg, lineChartSvg } from './svg';

export interface ReportInput {
  manifest: Manifest;
  journal: readonly JournalEntry[];
  notes: string;
  progress: readonly ProgressSample[];
  log: readonly LogLine[];
  finalSnapshot: ArraySnapshot | null;
  arraySha256: string | null;
  /** ISO time the report was made; passed in so reports are reproducible. */
  generatedAt: string;
  /** Lab results when the experiment was a guided lab: one row per lab step. */
  labSteps?: readonly { id: string; instruction: string; passed: boolean; detail: string }[];
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}pre{background:#f7f7f7;padding:.6em;overflow:auto}code{font-size:.95em}
.pass{color:#0a7a2f;font-weight:600}.fail{color:#b00020;font-weight:600}.warn{color:#9a6700}.error{color:#b00020}
figure{margin:1em 0}figcaption{font-size:.9em;color:#555}.empty{color:#777;font-style:italic}
`;

function table(rows: readonly (readonly [string, string])[]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

export function describeStep(step: Step): string {
  const [verb, arg] = Object.entries(step)[0] ?? ['?', null];
  return arg === null || arg === undefined ? verb : `${verb} ${typeof arg === 'object' ? JSON.stringify(arg) : String(arg)}`;
}

function describeEntry(e: JournalEntry): string {
  switch (e.type) {
    case 'seed':
      return `seed ${e.seed}`;
    case 'step':
      return describeStep(e.step);
    case 'open':
      return 'session opened';
    case 'close':
      return `session closed${e.arraySha256 ? ` (array sha256 ${e.arraySha256})` : ''}`;
  }
}

function configurationSection(m: Manifest): string {
  const a = m.array;
  return table([
    ['Array UUID', m.arrayUuid],
    ['Level', `raid${a.level}`],
    ['Layout (algorithm)', a.layout === null ? '—' : String(a.layout)],
    ['Chunk', `${a.chunkKib}K`],
    ['Raid devices', String(a.raidDevices)],
    ['Spare devices', String(a.spareDevices)],
    ['Member size', `${a.memberBytes} bytes`],
    ['Bitmap', a.bitmap],
    ['Assume clean', a.assumeClean ? 'yes' : 'no'],
    ['Seed', String(m.seed)],
    ['Members', m.members.map((x) => x.image).join(', ')],
  ]);
}

function timelineSection(journal: readonly JournalEntry[]): string {
  const rows = journal.map((e) => `<tr><td>${e.seq}</td><td>${e.atMs}</td><td>${escapeHtml(e.type)}</td><td><code>${escapeHtml(describeEntry(e))}</code></td></tr>`);
  return `<table><tr><th>#</th><th>time (ms, logical)</th><th>kind</th><th>what</th></tr>${rows.join('')}</table>`;
}

function chartsSection(progress: readonly ProgressSample[], snapshot: ArraySnapshot | null): string {
  const byAction = new Map<string, ProgressSample[]>();
  for (const p of progress) byAction.set(p.action, [...(byAction.get(p.action) ?? []), p]);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  const series = (y: (p: ProgressSample) => number) =>
    [...byAction.entries()].map(([action, ps], i) => ({ label: action, color: colors[i % colors.length], points: ps.map((p) => ({ x: p.timeMs, y: y(p) })) }));
  const percent = lineChartSvg('Sync progress', 'ms', '% done', series((p) => (p.totalSectors === 0 ? 0 : (100 * p.doneSectors) / p.totalSectors)));
  const speed = lineChartSvg('Sync speed', 'ms', 'KiB/s', series((p) => p.speedKibPerSec));
  const members = snapshot
    ? barChartSvg(
        'Bytes moved per member',
        'KiB',
        snapshot.members.map((mm) => ({
          label: mm.image,
          values: [
            { name: 'read', value: Math.round(mm.readBytes / 1024), color: '#1f77b4' },
            { name: 'written', value: Math.round(mm.writtenBytes / 1024), color: '#d62728' },
          ],
        })),
      )
    : '<p class="empty">Bytes moved per member: the array was not running when the report was made.</p>';
  return percent + speed + members;
}

function finalStateSection(s: ArraySnapshot | null, sha: string | null): string {
  const hash = sha ? table([['Array contents sha256', sha]]) : '';
  if (!s) return `${hash}<p class="empty">The array was not running when the report was made.</p>`;
  const facts = table([
    ['array_state', s.arrayState],
    ['sync_action', s.syncAction],
    ['last_sync_action', s.lastSyncAction],
    ['degraded', String(s.degraded)],
    ['mismatch_cnt', String(s.mismatchCnt)],
    ['events', String(s.events)],
    ['Array size', `${s.arraySizeKib} KiB`],
  ]);
  const members = `<table><tr><th>#</th><th>image</th><th>slot</th><th>state</th><th>errors</th></tr>${s.members
    .map((m) => `<tr><td>${m.index}</td><td>${escapeHtml(m.image)}</td><td>${m.slot ?? 'none'}</td><td>${escapeHtml(m.state.join(','))}</td><td>${m.errors}</td></tr>`)
    .join('')}</table>`;
  return `${hash}${facts}${members}<pre>${escapeHtml(s.mdstatText)}</pre>`;
}

function labSection(steps: ReportInput['labSteps']): string {
  if (!steps || steps.length === 0) return '';
  const rows = steps.map((s) => `<tr><td>${escapeHtml(s.id)}</td><td>${escapeHtml(s.instruction)}</td><td class="${s.passed ? 'pass' : 'fail'}">${s.passed ? 'pass' : 'FAIL'}</td><td>${escapeHtml(s.detail)}</td></tr>`);
  return `<h2>Lab steps</h2><table><tr><th>step</th><th>instruction</th><th>result</th><th>detail</th></tr>${rows.join('')}</table>`;
}

export function renderReportHtml(r: ReportInput): string {
  const log = r.log.length === 0 ? '<p class="empty">No kernel log lines were recorded.</p>' : `<pre>${r.log.map((l) => `<span class="${escapeHtml(l.level)}">[${l.timeMs.toFixed(0).padStart(8)}] ${escapeHtml(l.message)}</span>`).join('\n')}</pre>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // Forbids every network fetch even if some text slipped through unescaped.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(r.manifest.name)} — mdlab report</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(r.manifest.name)}</h1>`,
    `<p>mdlab experiment report, made ${escapeHtml(r.generatedAt)}; session created ${escapeHtml(r.manifest.createdAt)}.</p>`,
    labSection(r.labSteps),
    '<h2>Configuration</h2>',
    configurationSection(r.manifest),
    '<h2>Timeline</h2>',
    timelineSection(r.journal),
    '<h2>Charts</h2>',
    chartsSection(r.progress, r.finalSnapshot),
    '<h2>Event log</h2>',
    log,
    '<h2>Final state</h2>',
    finalStateSection(r.finalSnapshot, r.arraySha256),
    '<h2>Notes</h2>',
    r.notes.trim() === '' ? '<p class="empty">No notes.</p>' : `<pre>${escapeHtml(r.notes)}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
