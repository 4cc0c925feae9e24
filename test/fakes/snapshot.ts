// Engine snapshots and peer rows for tests on both sides of the UI contract.

import type { PeerStat, StatsSnapshot } from '../../src-shared/contract.js';

export function makeSnapshot(overrides: Partial<StatsSnapshot> = {}): StatsSnapshot {
  return {
    at: 1_000_000,
    mode: 'idle',
    state: 'idle',
    streamId: null,
    address: null,
    playlistUrl: null,
    gatewayUrl: null,
    peers: [],
    totals: { fromBroadcaster: 0, fromPeers: 0, uploaded: 0, toGateway: 0 },
    rates: { upBps: 0, fromBroadcasterBps: 0, fromPeersBps: 0, toGatewayBps: 0 },
    bufferSec: 0,
    behindLiveSec: null,
    segments: { ingested: 0, received: 0, failed: 0, held: 0 },
    recent: [],
    broadcast: null,
    reachability: null,
    lastError: null,
    ...overrides,
  };
}

export function makePeer(overrides: Partial<PeerStat> = {}): PeerStat {
  return {
    nodeId: 'peer-1',
    address: '198.51.100.1:4000',
    role: 'viewer',
    direction: 'inbound',
    rttMs: 40,
    lossRate: 0,
    upBps: 0,
    downBps: 0,
    bytesUp: 0,
    bytesDown: 0,
    segmentsSent: 0,
    segmentsReceived: 0,
    connectedMs: 1000,
    health: 'good',
    choked: false,
    path: 'direct',
    ...overrides,
  };
}
