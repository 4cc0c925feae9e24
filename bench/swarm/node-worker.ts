// One lab worker process: runs any number of real engines (the broadcaster, or viewers) on
// 127.0.0.1 and reports their segment arrivals and counters to the parent (ipc.ts). Each
// engine's UDP socket goes through LossySocket, which drops the configured share of
// datagrams and counts the bytes on the wire; upload caps are the engine's own limiter.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Engine } from '../../src-main/engine/engine.js';
import type { EngineConfigInput } from '../../src-main/engine/engine-config.js';
import type { Arrival, EngineSpec, EngineStats, FromWorker, ToWorker } from './ipc.js';
import { LossySocket } from './lossy-socket.js';
import { emptyKinds } from './wire-kinds.js';

interface Running {
  engine: Engine;
  socket: LossySocket | null;
  dataDir: string;
  failed: number;
}

const engines = new Map<number, Running>();
let arrivals: Arrival[] = [];
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let lastCpu = process.cpuUsage();

const send = (m: FromWorker): void => {
  if (process.connected) process.send!(m);
};

// Arrivals go up in batches: one IPC message per engine event would cost more than the event.
const flush = (): void => {
  if (arrivals.length === 0) return;
  send({ type: 'arrivals', items: arrivals });
  arrivals = [];
};
setInterval(flush, 200).unref();

async function open(spec: EngineSpec, input: Omit<EngineConfigInput, 'dataDir'>): Promise<Running> {
  const dataDir = await mkdtemp(join(tmpdir(), `shoal-lab-${spec.id}-`));
  const running: Running = { engine: null as unknown as Engine, socket: null, dataDir, failed: 0 };
  const engine = new Engine({
    ...input,
    dataDir,
    advertiseHost: '127.0.0.1',
    mediaBaseUrl: 'http://lab/media',
    // The lab models each line by its cap; an uncapped node stands for an endless line, which the
    // automatic cap (PROTOCOL §9.4) would only mistake loopback's CPU delays for.
    settings: {
      gatewayEnabled: false,
      uploadCapKbps: spec.uploadCapKbps,
      uploadCapAuto: false,
      ...input.settings,
    },
    transport: {
      bindHost: '127.0.0.1',
      wrapSocket: (socket) => (running.socket = new LossySocket(socket, spec.loss, spec.seed)),
    },
  });
  running.engine = engine;
  engine.onEvent((e) => {
    if (e.type === 'segment') {
      const a = e.arrival;
      if (a.rendition === 0)
        arrivals.push({
          id: spec.id,
          seq: a.seq,
          at: a.at,
          source: a.source,
          bytes: a.bytes,
          peerBytes: a.peerBytes ?? (a.source === 'peer' ? a.bytes : 0),
        });
    } else if (e.type === 'segment-failed') running.failed++;
    else if (e.type === 'error' && e.error.fatal)
      send({ type: 'engine-error', id: spec.id, message: e.error.message });
  });
  await engine.start();
  engines.set(spec.id, running);
  return running;
}

async function close(id: number, abrupt: boolean): Promise<void> {
  const running = engines.get(id);
  if (!running) return;
  engines.delete(id);
  // A crash, as the neighbours see it: not one more datagram, no GOODBYE.
  if (abrupt && running.socket) running.socket.muted = true;
  await running.engine.destroy().catch(() => undefined);
  await rm(running.dataDir, { recursive: true, force: true });
}

function engineStats(id: number, r: Running): EngineStats {
  const snap = r.engine.getSnapshot();
  const w = r.socket?.counters;
  return {
    id,
    bytesOut: w?.bytesOut ?? 0,
    bytesIn: w?.bytesIn ?? 0,
    datagramsOut: w?.datagramsOut ?? 0,
    dropped: w?.dropped ?? 0,
    wire: w?.kinds ?? emptyKinds(),
    uploaded: snap.totals.uploaded,
    fromBroadcaster: snap.totals.fromBroadcaster,
    fromPeers: snap.totals.fromPeers,
    peers: snap.peers.length,
    failed: r.failed,
    state: snap.state,
  };
}

function report(): void {
  const cpu = process.cpuUsage(lastCpu);
  lastCpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const ms = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0);
  send({
    type: 'stats',
    stats: {
      at: Date.now(),
      cpuUs: cpu.user + cpu.system,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      loopP50: ms(loop.percentile(50)),
      loopP99: ms(loop.percentile(99)),
      loopMax: ms(loop.max),
      engines: [...engines].map(([id, r]) => engineStats(id, r)),
    },
  });
  loop.reset();
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'broadcast': {
      const { spec } = m;
      const r = await open(spec, {
        swarm: {
          broadcasterMaxPeers: spec.maxPeers,
          pushFanout: Math.min(spec.pushFanout, spec.maxPeers),
          pieces: spec.pieces,
        },
      });
      const info = await r.engine.startBroadcast({ folder: spec.folder });
      send({ type: 'started', id: spec.id, at: Date.now(), address: info.address });
      return;
    }
    case 'watch': {
      const { spec } = m;
      const r = await open(spec, {
        settings: { maxPeers: spec.maxPeers, joinDistanceSegments: spec.joinDistance },
        swarm: { pieces: spec.pieces },
      });
      const at = Date.now();
      await r.engine.watch(spec.address);
      send({ type: 'started', id: spec.id, at, address: spec.address });
      return;
    }
    case 'leave': {
      flush();
      const running = engines.get(m.id);
      const final = running ? engineStats(m.id, running) : null;
      const at = Date.now();
      await close(m.id, m.abrupt);
      send({ type: 'left', id: m.id, at, final });
      return;
    }
    case 'stats':
      flush();
      report();
      return;
    case 'shutdown':
      flush();
      await Promise.all([...engines.keys()].map((id) => close(id, false)));
      send({ type: 'bye' });
      setTimeout(() => process.exit(0), 50);
      return;
  }
}

process.on('message', (m) => {
  const msg = m as ToWorker;
  handle(msg).catch((err: unknown) => {
    const id = 'spec' in msg ? msg.spec.id : 'id' in msg ? msg.id : -1;
    send({ type: 'failed', id, message: (err as Error).message });
  });
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
