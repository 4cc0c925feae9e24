// One viewer engine in a process of its own (forked by run.ts under tsx), already running
// before it is told to watch, as in the app: the parent sends `watch`, the engine joins and
// its gateway's playlist URL goes back at once, with the time Watch was pressed.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src-main/engine/engine.js';

export type ToViewer = { type: 'watch'; address: string } | { type: 'stop' };
export type FromViewer =
  | { type: 'ready'; gatewayPort: number }
  | { type: 'watching'; url: string; watchAt: number }
  | {
      type: 'engine';
      behindLiveSec: number | null;
      state: string;
      fromPeers: number;
      fromBroadcaster: number;
    }
  | { type: 'arrival'; seq: number; at: number; source: string }
  /** The first link after Watch (for --verbose). */
  | { type: 'linked'; at: number; role: string }
  | { type: 'failed'; message: string };

const send = (m: FromViewer): void => void process.send?.(m);

/** A TCP port free on 127.0.0.1 now, so the player's page can sit on the gateway's origin before Watch. */
function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const gatewayPort = await freeTcpPort();
const dataDir = await mkdtemp(join(tmpdir(), 'shoal-bench-latency-viewer-'));
const engine = new Engine({
  dataDir,
  transport: { bindHost: '127.0.0.1' },
  settings: { gatewayEnabled: true, gatewayPort, dhtEnabled: false, portMapping: false },
});
await engine.start();
let linked = false;
engine.onEvent((event) => {
  if (event.type === 'segment') {
    const { seq, at, source } = event.arrival;
    send({ type: 'arrival', seq, at, source });
  } else if (event.type === 'peer-joined' && !linked) {
    linked = true;
    send({ type: 'linked', at: Date.now(), role: event.role });
  }
});
const sampler = setInterval(() => {
  const s = engine.getSnapshot();
  if (s.mode !== 'watching') return;
  send({
    type: 'engine',
    behindLiveSec: s.behindLiveSec,
    state: s.state,
    fromPeers: s.totals.fromPeers,
    fromBroadcaster: s.totals.fromBroadcaster,
  });
}, 1000);

process.on('message', (raw) => {
  const m = raw as ToViewer;
  if (m.type === 'watch') {
    const watchAt = Date.now();
    engine
      .watch(m.address)
      .then(() => {
        const url = engine.getSnapshot().gatewayUrl;
        if (url) send({ type: 'watching', url, watchAt });
        else send({ type: 'failed', message: 'no gateway URL' });
      })
      .catch((err: Error) => send({ type: 'failed', message: err.message }));
  } else if (m.type === 'stop') {
    clearInterval(sampler);
    void engine
      .destroy()
      .catch(() => undefined)
      .then(() => rm(dataDir, { recursive: true, force: true }))
      .finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', gatewayPort });
