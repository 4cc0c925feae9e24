// Human-readable numbers for the UI. Engine rates are bytes per second; we show bits per
// second because the upload cap setting (and every ISP) speaks in kbit/s and Mbit/s.

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
const BIT_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];

function scaled(value: number, units: string[], step: number): string {
  let v = Math.max(0, value);
  let i = 0;
  while (v >= step && i < units.length - 1) {
    v /= step;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[i]}`;
}

export function formatBytes(bytes: number): string {
  return scaled(bytes, BYTE_UNITS, 1000);
}

/** `bytesPerSecond` from the engine, shown as a bit rate. */
export function formatRate(bytesPerSecond: number): string {
  return scaled(bytesPerSecond * 8, BIT_UNITS, 1000);
}

/** Short durations for "connected for" and similar: 45s, 3m 12s, 1h 04m. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatSeconds(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '—';
  return `${sec < 10 ? sec.toFixed(1) : Math.round(sec)} s`;
}

export function formatPercent(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  return `${Math.round(fraction * 100)}%`;
}

export function formatRtt(ms: number | null): string {
  return ms === null ? '—' : `${Math.round(ms)} ms`;
}

/** Packet loss keeps one decimal: 0.4 % and 0 % mean different things on a link. */
export function formatLoss(fraction: number): string {
  const pct = Math.max(0, fraction) * 100;
  return `${pct === 0 ? '0' : pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** "1 peer", "2 peers", "0 viewers": a count with its noun, singular only for exactly one. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
