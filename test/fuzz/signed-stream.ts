// One small signed stream (fixed key, init + five media segments with piece maps), signed
// once per process: the broadcaster under fuzz publishes it, hostile peers replay its
// genuine entries, maps and bytes (and tampered copies of them).

import { EntryFlag, StreamInfoFlag } from '../../src-main/protocol/constants.js';
import { signPieceMap } from '../../src-main/protocol/piece-map.js';
import { signEntry, signStreamInfo, streamKeysFromSeed } from '../../src-main/protocol/signing.js';
import { signOfflineNotice } from '../../src-main/protocol/offline-notice.js';
import type { OfflineNotice, PieceMap, SegmentEntry, StreamInfo } from '../../src-main/protocol/types.js';
import { testBytes } from '../fakes/transport-net.js';
import { sha256 } from '../fakes/segments.js';

export interface SignedSegment {
  entry: SegmentEntry;
  data: Buffer;
  map?: PieceMap;
}

export interface SignedStream {
  streamId: Buffer;
  info: StreamInfo;
  init: SignedSegment;
  media: SignedSegment[];
  /** Genuine offline notices (PROTOCOL §6.5): before, inside, just past and far past the media. */
  offline: OfflineNotice[];
}

let cached: SignedStream | null = null;

/** Media sizes: one fragment, a few, and one of several 8 KiB pieces. */
const MEDIA_SIZES = [900, 3000, 5000, 20_000, 2500];

export function signedStream(): SignedStream {
  if (cached) return cached;
  const keys = streamKeysFromSeed(Buffer.alloc(32, 0x5a));
  const id = keys.streamId;
  const info = signStreamInfo(keys.privateKey, id, {
    flags: StreamInfoFlag.LIVE,
    createdAtMs: 1_700_000_000_000,
    targetDurationMs: 2000,
    renditions: [{ id: 0, bandwidth: 800_000, width: 640, height: 360, name: 'fuzz', codecs: '' }],
  });
  const segment = (seq: number, kind: 'init' | 'media', data: Buffer): SignedSegment => {
    const entry = signEntry(keys.privateKey, id, {
      rendition: 0,
      flags: kind === 'init' ? EntryFlag.INIT : 0,
      seq,
      initSeq: kind === 'init' ? null : 0,
      durationUs: kind === 'init' ? 0 : 2_000_000,
      size: data.length,
      programDateTimeMs: 0,
      sha256: sha256(data),
    });
    const map = kind === 'media' ? signPieceMap(keys.privateKey, id, entry, data) : undefined;
    return map ? { entry, data, map } : { entry, data };
  };
  cached = {
    streamId: id,
    info,
    init: segment(0, 'init', testBytes(700, 99)),
    media: MEDIA_SIZES.map((size, i) => segment(i, 'media', testBytes(size, i + 1))),
    offline: [0, 3, MEDIA_SIZES.length, 0xffff_ffff].map((nextSeq) =>
      signOfflineNotice(keys.privateKey, id, { nextSeq, stoppedAtMs: 1_700_000_060_000 }),
    ),
  };
  return cached;
}
