import { afterEach, it } from 'vitest';
import { TransportNet, testBytes } from './fakes/transport-net.js';
const pct=(a:number[],p:number)=>{a=[...a].sort((x,y)=>x-y);return a[Math.min(a.length-1,Math.floor(a.length*p))]!.toFixed(0)};
const net = new TransportNet();
afterEach(() => net.destroy());
for (const loss of [0, 0.05]) for (const gap of [0, 150]) it(`piece latency loss ${loss} gap ${gap}`, async () => {
  const impair = { loss };
  const server = await net.node({}, { seed: 3, outbound: impair });
  const client = await net.node({}, { seed: 5, outbound: impair });
  const { client: c, server: s } = await net.pair(server, client);
  const data = testBytes(16 * 1024, 3);
  s.on('segmentRequest', (r) => r.respond(data));
  const ms: number[] = [];
  for (let i = 0; i < 150; i++) {
    const t = performance.now();
    await c.requestSegment({ rendition: 0, kind: 'media', seq: i, expectedSize: data.length, deadlineMs: 30_000, priority: 0 }).done;
    ms.push(performance.now() - t);
    if (gap) await new Promise((r) => setTimeout(r, gap));
  }
  console.log(`loss ${loss} gap ${gap}: p50 ${pct(ms,.5)} p90 ${pct(ms,.9)} p99 ${pct(ms,.99)} max ${pct(ms,1)} srtt ${c.stats().srttMs.toFixed(1)} cwnd ${(s.stats().cwndBytes/1200).toFixed(1)}`);
}, 120_000);
