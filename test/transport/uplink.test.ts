// The automatic upload cap (PROTOCOL §9.4) over real loopback sockets: a server behind a
// shaped uplink (a token bucket with a 100 ms drop-tail queue, like the NAT lab's tbf)
// serves a client that always wants more. The governor must find a cap at or under the
// line's rate from what the session's congestion control sees, and raise it when the line
// gets faster.

import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, UplinkGovernor } from '../../src-main/transport/index.js';
import { ShapedSocket } from '../fakes/shaped-socket.js';
import { TransportNet, testBytes } from '../fakes/transport-net.js';

const LINE = 150_000; // bytes/s: 1.2 Mbit/s
const FLOOR = 16_000;

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('automatic upload cap', () => {
  const net = new TransportNet();
  let governor: UplinkGovernor | null = null;
  let running = false;
  afterEach(async () => {
    running = false;
    governor?.destroy();
    await net.destroy();
  });

  async function serveBehind(queueMs: number) {
    const lines: ShapedSocket[] = [];
    const server = await net.node({}, {}, (udp) => {
      lines.push(new ShapedSocket(udp, LINE, queueMs));
      return lines[0]!;
    });
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    const data = testBytes(256 * 1024, 5);
    s.on('segmentRequest', (r) => r.respond(data));
    running = true;
    let seq = 0;
    const pull = async (): Promise<void> => {
      while (running) {
        await c
          .requestSegment({
            rendition: 0,
            kind: 'media',
            seq: seq++,
            expectedSize: data.length,
            deadlineMs: 60_000,
            priority: 2,
          })
          .done.catch(() => undefined);
      }
    };
    void pull();
    void pull();
    const caps: (number | null)[] = [];
    const g = new UplinkGovernor({
      clock: systemClock,
      limiter: server.endpoint.limiter,
      sessions: () => server.endpoint.sessions(),
      floorBytesPerSec: () => FLOOR,
      targetDelayMs: server.endpoint.config.congestion.targetMs,
      onCap: (cap) => caps.push(cap),
    });
    governor = g;
    expect(g.bytesPerSec).toBeNull();
    g.start();
    return { server, line: lines[0]!, g, caps };
  }

  it('finds a cap under a full line, applies it to the limiter, and raises it when the line gets faster', async () => {
    const { server, line, g, caps } = await serveBehind(100);
    await until('a cap', 60_000, () => g.bytesPerSec !== null);
    const found = g.bytesPerSec!;
    // Found from what got through a full line: at most the line's rate (a little over it
    // while the queue fills counts as got through), and never under the floor.
    expect(found).toBeLessThanOrEqual(LINE * 1.1);
    expect(found).toBeGreaterThanOrEqual(FLOOR);
    expect(server.endpoint.limiter.bytesPerSecond).toBe(found);
    expect(caps.at(-1)).toBe(found);
    expect(line.sent).toBeGreaterThan(0);

    // Three times the line: the cap holds data back, no queue shows, so it grows past the old line.
    line.bytesPerSec = 3 * LINE;
    await until('a higher cap', 90_000, () => (g.bytesPerSec ?? 0) > 1.5 * LINE);
    expect(server.endpoint.limiter.bytesPerSecond).toBe(g.bytesPerSec);
  }, 180_000);

  it('finds the line from losses when its queue is too short for a delay to show', async () => {
    const { server, line, g } = await serveBehind(5);
    await until('a cap', 60_000, () => g.bytesPerSec !== null);
    expect(g.bytesPerSec!).toBeLessThanOrEqual(LINE * 1.1);
    expect(server.endpoint.limiter.bytesPerSecond).toBe(g.bytesPerSec);
    expect(line.dropped).toBeGreaterThan(0);
  }, 120_000);
});
