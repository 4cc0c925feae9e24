// Birthday punching, symmetric side (PROTOCOL §5.18 step 4): many extra UDP sockets, each
// sending PUNCH probes to the other node's public address, so that our symmetric NAT holds
// that many fresh mappings toward it. The other node probes random ports of our public IP;
// the socket one of its probes reaches (with the introduction's token, from its IP) wins,
// and the connection is dialled from it. Every other socket is closed at once.

import type { PeerAddress } from '../protocol/types.js';
import type { Clock, TimerHandle } from './clock.js';
import type { DatagramSocket } from './datagram-socket.js';
import { encodePunchProbe, readPunchProbe } from './punch-probe.js';

/** Sockets bound at once. */
const BIND_BATCH = 32;

export interface PunchPoolOptions {
  /** Binds one extra socket (small buffers: there are hundreds). */
  bind(): Promise<DatagramSocket>;
  clock: Clock;
  nodeId: Uint8Array;
  token: Uint8Array;
  /** The prober's OBSERVED address. */
  to: PeerAddress;
  /** PROTOCOL §5.18 step 4: 256 sockets, probes every 2 s, for 8 s. */
  sockets?: number;
  /** Called for every probe sent (the caller's cost accounting). */
  onProbe?(): void;
  everyMs?: number;
  timeoutMs?: number;
}

export interface PunchPoolResult {
  /** The socket a probe from the prober reached; the caller owns it now. */
  socket: DatagramSocket;
  /** Where that probe came from (the prober's NAT mapping toward this socket). */
  from: PeerAddress;
  /** Probes this pool sent. */
  probesSent: number;
}

/** Resolves with the winning socket, or null when none was reached within the timeout. */
export async function runPunchPool(o: PunchPoolOptions): Promise<PunchPoolResult | null> {
  const count = o.sockets ?? 256;
  const sockets: DatagramSocket[] = [];
  let probesSent = 0;
  let done = false;
  let timer: TimerHandle | null = null;
  let finish: (r: PunchPoolResult | null) => void = () => {};
  const result = new Promise<PunchPoolResult | null>((resolve) => (finish = resolve));
  const closeAll = (keep: DatagramSocket | null): void => {
    for (const s of sockets) if (s !== keep) void s.close().catch(() => {});
  };
  const settle = (r: PunchPoolResult | null): void => {
    if (done) return;
    done = true;
    if (timer !== null) o.clock.clearTimeout(timer);
    closeAll(r?.socket ?? null);
    finish(r);
  };
  // Bound in batches, each socket probing at once: its mapping opens as early as it can.
  const everyMs = o.everyMs ?? 2000;
  const deadline = o.clock.now() + (o.timeoutMs ?? 8000);
  const probe = (s: DatagramSocket, round: number): void => {
    s.send(encodePunchProbe(o.token, o.nodeId, round, o.clock.now()), o.to.port, o.to.host);
    probesSent++;
    o.onProbe?.();
  };
  const watch = (socket: DatagramSocket): void =>
    socket.onMessage((data, host, port) => {
      if (done || host !== o.to.host) return;
      const punch = readPunchProbe(data);
      if (punch === null || Buffer.compare(punch.token, o.token) !== 0) return;
      socket.onMessage(() => {});
      settle({ socket, from: { host, port }, probesSent });
    });
  for (let i = 0; i < count && !done; i += BIND_BATCH) {
    const batch = await Promise.allSettled(
      Array.from({ length: Math.min(BIND_BATCH, count - i) }, () => o.bind()),
    );
    for (const b of batch) {
      if (b.status !== 'fulfilled') continue; // out of ports or descriptors: punch with what we have
      if (done) {
        void b.value.close().catch(() => {}); // bound after a socket was reached
        continue;
      }
      sockets.push(b.value);
      watch(b.value);
      probe(b.value, 0);
    }
    if (batch.every((b) => b.status === 'rejected')) break;
  }
  if (done) return result;
  if (sockets.length === 0) return null;
  let round = 1;
  const sendRound = (): void => {
    if (done) return;
    if (o.clock.now() >= deadline) return settle(null);
    for (const s of sockets) probe(s, round);
    round++;
    timer = o.clock.setTimeout(sendRound, Math.min(everyMs, Math.max(1, deadline - o.clock.now())));
  };
  if (!done) timer = o.clock.setTimeout(sendRound, Math.min(everyMs, Math.max(1, deadline - o.clock.now())));
  return result;
}
