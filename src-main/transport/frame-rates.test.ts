import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSPORT_CONFIG } from './config.js';
import { FrameRateLimiter, INBOUND_FRAME_RATES, type RatedFrame } from './frame-rates.js';

const spec = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'PROTOCOL.md'), 'utf8');

describe('FrameRateLimiter', () => {
  it('accepts a burst, then refills at the rate', () => {
    const r = new FrameRateLimiter();
    const { burst, perSecond } = INBOUND_FRAME_RATES.PEX_REQUEST;
    for (let i = 0; i < burst; i++) expect(r.take('PEX_REQUEST', 0)).toBe(true);
    expect(r.take('PEX_REQUEST', 0)).toBe(false);
    // One token comes back after 1/perSecond s, and the bucket never holds more than burst.
    expect(r.take('PEX_REQUEST', 1000 / perSecond)).toBe(true);
    expect(r.take('PEX_REQUEST', 1000 / perSecond)).toBe(false);
    let accepted = 0;
    for (let i = 0; i < burst * 2; i++) if (r.take('PEX_REQUEST', 3_600_000)) accepted++;
    expect(accepted).toBe(burst);
  });

  it('keeps one bucket per kind and leaves other kinds alone', () => {
    const r = new FrameRateLimiter();
    while (r.take('AVAILABILITY', 0));
    expect(r.take('PLAYLIST_REQUEST', 0)).toBe(true);
    for (let i = 0; i < 10_000; i++) expect(r.take('SEGMENT_REQUEST', 0)).toBe(true);
  });

  it('are the rates PROTOCOL §13.4 states, and §10.7 states the per-session limits', () => {
    const section = spec.slice(spec.indexOf('### §13.4'), spec.indexOf('### §13.5'));
    const rows = [...section.matchAll(/^\| ([A-Z_]+) +\| (\d+) +\| (\d+) +\|/gm)];
    const stated = Object.fromEntries(
      rows.map((m) => [m[1], { burst: Number(m[2]), perSecond: Number(m[3]) }]),
    );
    expect(stated).toEqual(INBOUND_FRAME_RATES as Record<RatedFrame, unknown>);
    const limits = spec.slice(spec.indexOf('### §10.7'), spec.indexOf('### §10.8'));
    const c = DEFAULT_TRANSPORT_CONFIG;
    expect(limits).toContain(`| ${c.maxUnconfirmed} / ${c.maxUnconfirmedPerIp} (§10.2)`);
    expect(limits).toContain(`| ${c.unconfirmedTimeoutMs / 1000} s (§10.2)`);
    expect(limits).toContain(`| ${c.maxControlFrames} frames / ${c.maxControlBytes / 1024} KiB,`);
    expect(limits).toContain(`| ${c.controlWindowBytes / 1024} KiB of control packets in flight`);
    const thousands = (n: number) => n.toLocaleString('en').replace(',', ' ');
    expect(limits).toContain(
      `| ${thousands(c.maxControlFramesTotal)} frames / ${c.maxControlBytesTotal / 1024 / 1024} MiB (§13.4)`,
    );
  });
});
