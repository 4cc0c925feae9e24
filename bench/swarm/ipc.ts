// Messages between the lab's parent process and its engine workers (node-worker.ts).
// Plain JSON over the child_process IPC channel.

import type { WireKinds } from './wire-kinds.js';

export interface EngineSpec {
  /** Lab-wide node id: 0 is the broadcaster, viewers count up from 1. */
  id: number;
  /** null = unlimited. */
  uploadCapKbps: number | null;
  /** Share of outgoing datagrams dropped. */
  loss: number;
  seed: number;
  /** Relay piece by piece (PROTOCOL §7.3). */
  pieces: boolean;
}

export interface BroadcasterSpec extends EngineSpec {
  folder: string;
  maxPeers: number;
  pushFanout: number;
}

export interface ViewerSpec extends EngineSpec {
  address: string;
  maxPeers: number;
  joinDistance: number;
}

export type ToWorker =
  | { type: 'broadcast'; spec: BroadcasterSpec }
  | { type: 'watch'; spec: ViewerSpec }
  | { type: 'leave'; id: number; abrupt: boolean }
  | { type: 'stats' }
  | { type: 'shutdown' };

/** One verified segment as the engine reported it (`segment` event). */
export interface Arrival {
  id: number;
  seq: number;
  at: number;
  source: 'broadcaster' | 'peer' | 'ingest';
  bytes: number;
  /** Bytes of it that came from viewers. */
  peerBytes: number;
}

export interface EngineStats {
  id: number;
  bytesOut: number;
  bytesIn: number;
  datagramsOut: number;
  dropped: number;
  /** bytesOut by kind (see wire-kinds.ts). */
  wire: WireKinds;
  /** Segment payload served to peers (counted when a response starts). */
  uploaded: number;
  fromBroadcaster: number;
  fromPeers: number;
  peers: number;
  failed: number;
  state: string;
}

export interface WorkerStats {
  at: number;
  cpuUs: number;
  rss: number;
  heapUsed: number;
  /** Event-loop delay since the previous report, ms. */
  loopP50: number;
  loopP99: number;
  loopMax: number;
  engines: EngineStats[];
}

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'started'; id: number; at: number; address: string }
  | { type: 'arrivals'; items: Arrival[] }
  | { type: 'left'; id: number; at: number; final: EngineStats | null }
  | { type: 'failed'; id: number; message: string }
  | { type: 'engine-error'; id: number; message: string }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'bye' };
