// One side of a transport benchmark scenario, run as its own process by run.ts.
// Protocol with the parent over IPC: the child sends {ready, port}, the parent may send
// {go, ...}, the child answers {result, ...}; {stop} makes a server report and exit.

import dgram from 'node:dgram';
import net from 'node:net';
import { Endpoint, UdpSocket, type PeerSession } from '../../src-main/transport/index.js';
import { ImpairedSocket } from '../../test/fakes/impaired-socket.js';

type Msg = Record<string, unknown> & { type: string };

const role = process.argv[2]!;
const params = JSON.parse(process.argv[3] ?? '{}') as Record<string, number>;
const send = (m: Msg): void => void process.send!(m);
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Process counters since `from` (a transfer's own cost, startup excluded). */
interface Usage {
  cpuMs: number;
  sysMs: number;
  /** Context switches: voluntary (went to sleep) and involuntary (preempted). */
  vcsw: number;
  ivcsw: number;
  pageFaults: number;
}
const usage = (from?: Usage): Usage => {
  const r = process.resourceUsage();
  const now: Usage = {
    cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000,
    sysMs: r.systemCPUTime / 1000,
    vcsw: r.voluntaryContextSwitches,
    ivcsw: r.involuntaryContextSwitches,
    pageFaults: r.minorPageFault + r.majorPageFault,
  };
  if (from === undefined) return now;
  for (const k of Object.keys(now) as (keyof Usage)[]) now[k] -= from[k];
  return now;
};
const onParent = (fn: (m: Msg) => void): void => void process.on('message', (m) => fn(m as Msg));
const SEGMENT = 2 * 1024 * 1024;
const STREAM = new Uint8Array(32).fill(9);

async function rawReceiver(): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  s.setRecvBufferSize(4 * 1024 * 1024);
  let count = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  let u0 = usage();
  s.on('message', (m) => {
    if (count === 0) {
      first = performance.now();
      u0 = usage();
    }
    count++;
    bytes += m.length;
    last = performance.now();
  });
  onParent((m) => {
    if (m.type !== 'stop') return;
    // CPU from the first datagram on (startup excluded; includes the idle tail until stop).
    const seconds = (last - first) / 1000;
    send({ type: 'result', count, bytes, seconds, ...usage(u0) });
    s.close();
    process.exit(0);
  });
  send({ type: 'ready', port: s.address().port });
}

async function rawSender(): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  s.setSendBufferSize(4 * 1024 * 1024);
  const payload = Buffer.alloc(1200, 1);
  const port = params.port!;
  const until = performance.now() + params.seconds! * 1000;
  let sent = 0;
  let u0 = usage();
  const blast = (): void => {
    // A bounded batch per loop turn; the send queue check keeps libuv's queue from growing.
    for (let i = 0; i < 512 && s.getSendQueueCount() < 1024; i++) {
      s.send(payload, port, '127.0.0.1');
      sent++;
    }
    if (performance.now() < until) setImmediate(blast);
    else {
      send({ type: 'result', sent, ...usage(u0) });
      s.close();
      process.exit(0);
    }
  };
  send({ type: 'ready', port: 0 });
  onParent((m) => {
    if (m.type !== 'go') return;
    u0 = usage();
    blast();
  });
}

function impaired(inner: UdpSocket): ImpairedSocket | UdpSocket {
  const loss = params.loss ?? 0;
  if (loss === 0) return inner;
  const imp = { loss, duplicate: 0, reorder: 0 };
  return new ImpairedSocket(inner, { seed: 42, inbound: imp, outbound: imp });
}

async function shoalServer(): Promise<void> {
  const data = Buffer.alloc(SEGMENT, 0x5a);
  // `cap`: the node-wide upload cap (bytes/s), as a user sets it.
  const endpoint = new Endpoint({ socket: await UdpSocket.bind(), uploadBytesPerSec: params.cap ?? null });
  await endpoint.start();
  let last: PeerSession | null = null;
  let elu0 = performance.eventLoopUtilization();
  let u0 = usage();
  let out0 = 0;
  endpoint.on('session', (s) => {
    elu0 = performance.eventLoopUtilization();
    u0 = usage();
    out0 = endpoint.stats().datagramsOut;
    last = s;
    s.on('segmentRequest', (r) => r.respond(data));
  });
  onParent(async (m) => {
    if (m.type !== 'stop') return;
    const stats = endpoint.stats();
    if (process.env.BENCH_DEBUG) console.error('server session', (last as PeerSession | null)?.stats());
    const elu = performance.eventLoopUtilization(elu0).utilization;
    send({
      type: 'result',
      // Since the session started (startup excluded), and the datagrams sent meanwhile.
      ...usage(u0),
      datagramsOut: stats.datagramsOut - out0,
      bytesOut: stats.bytesOut,
      bytesIn: stats.bytesIn,
      elu,
    });
    await endpoint.destroy();
    process.exit(0);
  });
  send({ type: 'ready', port: endpoint.address().port });
}

async function shoalClient(): Promise<void> {
  const endpoint = new Endpoint({ socket: impaired(await UdpSocket.bind()) });
  await endpoint.start();
  const session = await endpoint.connect({ host: '127.0.0.1', port: params.port! }, STREAM);
  const u0 = usage();
  const in0 = endpoint.stats().datagramsIn;
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const until = t0 + params.seconds! * 1000;
  let received = 0;
  let seq = 0;
  const fetchNext = async (): Promise<void> => {
    while (received < (params.bytes ?? Infinity) && performance.now() < until) {
      const h = session.requestSegment({
        rendition: 0,
        kind: 'media',
        seq: seq++,
        expectedSize: SEGMENT,
        priority: 0,
      });
      const data = await h.done; // (not `received += await …`: that races between the two loops)
      received += data.length;
      // Counted and done with, as a player is once it has handed a segment on.
      session.releaseSegment(data);
    }
  };
  // Two requests in flight keep the pipe full across segment boundaries.
  await Promise.all([fetchNext(), fetchNext()]);
  const seconds = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const st = session.stats();
  const es = endpoint.stats();
  if (process.env.BENCH_DEBUG) console.error('client', st, es, session.requestStats());
  send({
    type: 'result',
    received,
    seconds,
    ...usage(u0),
    bytesOut: es.bytesOut,
    bytesIn: es.bytesIn,
    datagramsIn: es.datagramsIn - in0,
    srttMs: st.srttMs,
    lossRate: st.lossRate,
    elu,
  });
  await endpoint.destroy();
  process.exit(0);
}

async function tcpServer(): Promise<void> {
  const chunk = Buffer.alloc(SEGMENT, 0x5a);
  const server = net.createServer((sock) => {
    let left = params.bytes!;
    const pump = (): void => {
      while (left > 0) {
        left -= chunk.length;
        if (!sock.write(chunk)) return void sock.once('drain', pump);
      }
      sock.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onParent((m) => {
    if (m.type !== 'stop') return;
    send({ type: 'result', cpuMs: cpuMs() });
    server.close();
    process.exit(0);
  });
  send({ type: 'ready', port: (server.address() as net.AddressInfo).port });
}

async function tcpClient(): Promise<void> {
  const cpu0 = cpuMs();
  const t0 = performance.now();
  let received = 0;
  const sock = net.connect(params.port!, '127.0.0.1');
  sock.on('data', (d) => (received += d.length));
  await new Promise<void>((r) => sock.on('end', r));
  send({ type: 'result', received, seconds: (performance.now() - t0) / 1000, cpuMs: cpuMs() - cpu0 });
  process.exit(0);
}

const roles: Record<string, () => Promise<void>> = {
  'raw-recv': rawReceiver,
  'raw-send': rawSender,
  'shoal-server': shoalServer,
  'shoal-client': shoalClient,
  'tcp-server': tcpServer,
  'tcp-client': tcpClient,
};
void roles[role]!();
