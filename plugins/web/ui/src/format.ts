// Formatting. Event times are Unix epoch NANOSECONDS: the original tool read them as milliseconds and showed the
// year 4700. Every conversion to a Date goes through toDate.

const NS_PER_MS = 1e6;

export function toDate(ns: number): Date {
  return new Date(ns / NS_PER_MS);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 10:00:01.234 (local time). */
export function clock(ns: number | null | undefined): string {
  if (ns === null || ns === undefined) return '';
  const d = toDate(ns);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** 2026-11-24 10:00:01 (local time). */
export function dateTime(ns: number | null | undefined): string {
  if (ns === null || ns === undefined) return '';
  const d = toDate(ns);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 812 ms, 2.41 s, 3m05.2s. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${((ms % 60_000) / 1000).toFixed(1).padStart(4, '0')}s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Offset from the session's start: +3.250 s. */
export function offset(ns: number, startNs: number | null | undefined): string {
  if (startNs === null || startNs === undefined) return '';
  return `+${((ns - startNs) / 1e9).toFixed(3)} s`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : integer.format(n);
}

export function exitText(p: { exit_code: number | null; signal: number | null; end_ns: number | null }): string {
  if (p.signal !== null) return `signal ${p.signal}`;
  if (p.exit_code !== null) return `exit ${p.exit_code}`;
  return p.end_ns === null ? 'running' : 'exited';
}

/** 812 B, 45.3 MiB, 1.20 GiB (binary units, as ps and top count memory). */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** $0.0123, $1.25; "unknown" when nothing was priced (never $0 for want of a price); "" when there was nothing to price. */
export function usd(value: number | null | undefined, unpriced = 0, calls = 1): string {
  if (value === null || value === undefined) return calls === 0 ? '' : 'unknown';
  const text = `$${value >= 1 ? value.toFixed(2) : value.toFixed(4)}`;
  return unpriced > 0 ? `${text} + ${unpriced} unpriced` : text;
}
