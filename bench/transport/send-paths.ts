// Micro-benchmark (not a test): CPU per datagram of the ways the sender can hand a 1200-byte
// SEGMENT_DATA packet to node:dgram, on loopback to a draining process on the other CPU.
// `npx tsx bench/transport/send-paths.ts [variant…]`, env ROUNDS (3) and N (200000).
//   same       one unchanging buffer (what the raw ceiling of run.ts sends)
//   packet     writeSegmentDataPacket from a 2 MiB segment into one reused buffer (Connection)
//   gather     socket.send([header, payload view]): no copy in JS, node's buffer list instead
//   connected  `packet` through a socket connect()ed to the receiver (no per-send address)
// Wrap runs in `flock /tmp/shoal-bench.lock` on a shared machine, like every benchmark.

import dgram from 'node:dgram';
import { execFileSync, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { writeSegmentDataPacket } from '../../src-main/protocol/segment-data-packet.js';

const FRAGMENT = 1161;
const HOST = '127.0.0.1';

function pin(pid: number, cpu: number): void {
  if (availableParallelism() < 2) return;
  try {
    execFileSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing: unpinned
  }
}

function bindSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket({
    type: 'udp4',
    // Synchronous, as UdpSocket's: no node:dns round per send.
    lookup: (address, _family, cb) => (cb as (e: null, a: string, f: number) => void)(null, address, 4),
  });
  return new Promise((resolve) => s.bind(0, HOST, () => resolve(s)));
}

async function sink(): Promise<void> {
  const s = await bindSocket();
  s.setRecvBufferSize(8 << 20);
  let received = 0;
  s.on('message', () => received++);
  process.on('message', () => {
    process.send!({ received });
    process.exit(0);
  });
  process.send!({ port: s.address().port });
}

async function main(): Promise<void> {
  const drain = fork(process.argv[1]!, ['--sink'], { execArgv: ['--import', 'tsx'] });
  pin(drain.pid!, 1);
  pin(process.pid, 0);
  const port = await new Promise<number>((r) =>
    drain.once('message', (m) => r((m as { port: number }).port)),
  );
  const s = await bindSocket();
  const c = await bindSocket();
  await new Promise<void>((r) => c.connect(port, HOST, r));
  for (const x of [s, c]) x.setSendBufferSize(8 << 20);
  const segment = Buffer.alloc(2 << 20, 0x5a);
  const dcid = new Uint8Array(8).fill(3);
  const packet = Buffer.allocUnsafe(1200);
  const header = Buffer.allocUnsafe(1200 - FRAGMENT);
  const at = (pn: number): number => (pn % Math.floor(segment.length / FRAGMENT)) * FRAGMENT;
  const write = (pn: number, length: number, out: Buffer): number =>
    writeSegmentDataPacket(out, dcid, pn, pn, 7, 1, segment, at(pn), length);
  const variants: Record<string, (pn: number) => void> = {
    same: () => s.send(packet, port, HOST),
    packet: (pn) => {
      write(pn, FRAGMENT, packet);
      s.send(packet, port, HOST);
    },
    gather: (pn) => {
      write(pn, 0, header);
      s.send([header, new Uint8Array(segment.buffer, segment.byteOffset + at(pn), FRAGMENT)], port, HOST);
    },
    connected: (pn) => {
      write(pn, FRAGMENT, packet);
      c.send(packet);
    },
  };
  const names = process.argv.slice(2).filter((a) => a in variants);
  const n = Number(process.env.N ?? 200_000);
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    for (const name of names.length > 0 ? names : Object.keys(variants)) {
      const send = variants[name]!;
      let pn = 0;
      const u0 = process.cpuUsage();
      await new Promise<void>((done) => {
        const burst = (): void => {
          // The packet buffer is reused only once node holds no reference to it (sendNow).
          for (let i = 0; i < 256 && s.getSendQueueCount() + c.getSendQueueCount() === 0; i++) send(pn++);
          if (pn < n) setImmediate(burst);
          else done();
        };
        burst();
      });
      const u = process.cpuUsage(u0);
      const us = (v: number): string => (v / pn).toFixed(2);
      console.log(`${name.padEnd(10)} ${us(u.user + u.system)} µs (user ${us(u.user)}, sys ${us(u.system)})`);
    }
  }
  drain.send('stop');
  drain.once('message', () => process.exit(0));
}

void (process.argv.includes('--sink') ? sink() : main());
