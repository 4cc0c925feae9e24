// Uplink caps: a token bucket (tc tbf) on the host's interface towards its router or the
// internet, so everything the host sends is held to the cap by the kernel, whatever the app
// believes its limit is. (netem is not available on this kernel: no delay or loss.)

import { inNs } from './shell.js';

export async function capUplink(ns: string, dev: string, kbps: number): Promise<void> {
  // Burst: at least 10 ms at the rate and a few full-size packets; queue: 100 ms, a home router's.
  const burst = Math.max(16_000, Math.round((kbps * 1000) / 8 / 100));
  await inNs(ns, 'tc', [
    'qdisc',
    'replace',
    'dev',
    dev,
    'root',
    'tbf',
    'rate',
    `${kbps}kbit`,
    'burst',
    String(burst),
    'latency',
    '100ms',
  ]);
}
