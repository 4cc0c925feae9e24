// Fakes for swarm unit tests: a neighbour session, an empty vault, a viewer's Swarm
// options and signed segment entries. Each test overrides only what it is about.

import { createHash } from 'node:crypto';
import { signPieceMap } from '../../src-main/protocol/piece-map.js';
import { signEntry, type StreamKeys } from '../../src-main/protocol/signing.js';
import type { Frame, PieceMap, SegmentEntry } from '../../src-main/protocol/types.js';
import type { UnsignedSegmentEntry } from '../../src-main/protocol/records.js';
import type { SegmentVault, SwarmOptions, SwarmSession } from '../../src-main/swarm/index.js';

/**
 * A session to neighbour 'aa…' (outbound, 127.0.0.1:1, no PIECES or PEX) that accepts
 * everything and answers nothing: requests never complete, health is a steady 10 ms RTT.
 */
export function fakeSession(overrides: Partial<SwarmSession> = {}): SwarmSession {
  return {
    nodeId: 'aa'.repeat(8),
    remote: { host: '127.0.0.1', port: 1 },
    direction: 'outbound',
    isBroadcaster: false,
    speaksPieces: false,
    speaksPex: false,
    send: () => undefined,
    requestSegment: () => ({ done: new Promise<Buffer>(() => undefined), cancel: () => undefined }),
    requestPlaylist: () => new Promise(() => undefined),
    listen: () => undefined,
    health: () => ({ rttMs: 10, lossRate: 0, bytesSent: 0, bytesReceived: 0 }),
    rttMs: () => 10,
    activeResponses: () => 0,
    silentMs: () => 0,
    unacknowledged: () => 0,
    close: () => undefined,
    ...overrides,
  };
}

/** A vault that holds nothing and keeps nothing. */
export const emptyVault: SegmentVault = {
  get: () => undefined,
  has: () => false,
  put: () => undefined,
  heldSeqs: () => [],
};

/** Options for a viewer 'bb…' with no bootstrap peers, whose dials never complete. */
export function viewerSwarmOptions(
  overrides: Partial<SwarmOptions> & Pick<SwarmOptions, 'streamId'>,
): SwarmOptions {
  return {
    role: 'viewer',
    selfNodeId: 'bb'.repeat(8),
    vault: emptyVault,
    dialer: { dial: () => new Promise(() => undefined) },
    bootstrap: [],
    maxPeers: 4,
    joinDistance: 2,
    resyncAfterSegments: 3,
    pushFanout: 1,
    pushDelayShare: 0,
    noUpload: false,
    maxInFlightPerPeer: 2,
    now: () => Date.now(),
    ...overrides,
  };
}

/** A media entry of rendition 0 (1 s, 1000 bytes) signed with the stream's key. */
export function signedEntry(
  keys: StreamKeys,
  seq: number,
  overrides: Partial<UnsignedSegmentEntry> = {},
): SegmentEntry {
  return signEntry(keys.privateKey, keys.streamId, {
    rendition: 0,
    flags: 0,
    seq,
    initSeq: null,
    durationUs: 1_000_000,
    size: 1000,
    programDateTimeMs: 0,
    sha256: Buffer.alloc(32, 1),
    ...overrides,
  });
}

/** Media bytes of a given size that differ by `salt`. */
export const mediaBytes = (size: number, salt = 0): Buffer =>
  Buffer.from(Array.from({ length: size }, (_, i) => (i + salt) % 251));

/**
 * A media segment of rendition 0 (2 s) whose entry and piece map are signed for `data`, so
 * that the bytes verify: the entry, and the map with `pieceSize`-byte pieces.
 */
export function signedSegment(
  keys: StreamKeys,
  seq: number,
  data: Buffer,
  pieceSize = 1024,
): { entry: SegmentEntry; map: PieceMap } {
  const entry = signEntry(keys.privateKey, keys.streamId, {
    rendition: 0,
    flags: 0,
    seq,
    initSeq: null,
    durationUs: 2_000_000,
    size: data.length,
    programDateTimeMs: 0,
    sha256: createHash('sha256').update(data).digest(),
  });
  return { entry, map: signPieceMap(keys.privateKey, keys.streamId, entry, data, pieceSize) };
}

/** A fake session that records the frames sent on it (see fakeSession). */
export function recordingSession(overrides: Partial<SwarmSession> = {}): SwarmSession & { sent: Frame[] } {
  const sent: Frame[] = [];
  return Object.assign(fakeSession({ send: (f) => void sent.push(f), ...overrides }), { sent });
}
