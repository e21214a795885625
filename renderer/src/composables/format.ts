/**
 * Display formatting only: binary units as mdadm prints them. Engine facts arrive already computed;
 * these helpers only choose how many digits a human sees.
 */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${UNITS[unit]}`;
}

export function formatKib(kib: number): string {
  return formatBytes(kib * 1024);
}

export function formatRateKib(kibPerSec: number): string {
  return `${formatKib(kibPerSec)}/s`;
}

/** "1h02m", "3m05s", "12s": ETA as md's finish= does, without pretending to sub-second precision. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

export function hexGroups(hex: string, bytesPerLine = 16): string[] {
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += bytesPerLine * 2) {
    const line = hex.slice(i, i + bytesPerLine * 2);
    lines.push(line.replace(/(..)/g, '$1 ').trimEnd());
  }
  return lines;
}
