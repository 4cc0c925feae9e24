// The hex test vectors of PROTOCOL §14, parsed out of docs/PROTOCOL.md and checked in both
// directions, plus: every truncated prefix of every vector is rejected as MALFORMED.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FrameType, HEADER_LENGTH, PacketType, PADDING_FRAME_TYPE } from './constants.js';
import { ByteWriter } from './byte-writer.js';
import { decodeHeader, decodePacket, encodePacket } from './packet.js';
import { headerLength, writeHeader } from './header.js';
import { decodeFrame, decodeFrames, encodeFrame, encodedFrameLength } from './frames/frame-codec.js';
import {
  decodeSegmentEntry,
  decodeStreamInfo,
  encodeSegmentEntry,
  encodeStreamInfo,
  pieceMapSignedBytes,
  segmentEntrySignedBytes,
  streamInfoSignedBytes,
} from './records.js';
import { offlineNoticeSignedBytes, verifyOfflineNotice } from './offline-notice.js';
import { pieceMatches, pieceRange, verifyPieceMap } from './piece-map.js';
import { streamKeysFromSeed, verifyEntry, verifyStreamInfo } from './signing.js';
import type { Frame, FrameOf, Packet, PacketHeader, SegmentEntry, StreamInfo } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { fromJson, readSpecVectors, toJson, type SpecVector } from '../../test/protocol/spec-vectors.js';

const vectors = readSpecVectors();
const byPrefix = (p: string) => vectors.filter((v) => v.name.startsWith(p));
const key = byPrefix('key/')[0]!;
const streamId = key.bytes;

function expectMalformed(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (err) {
    expect(err, what).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code, `${what}: ${(err as Error).message}`).toBe(ErrorCode.MALFORMED);
    return;
  }
  expect.fail(`${what} decoded`);
}

/** Offsets at which a DATA datagram may legitimately end: after the header and after each frame. */
function frameBoundaries(datagram: Buffer): Set<number> {
  const out = new Set<number>();
  let pos = headerLength(decodeHeader(datagram));
  out.add(pos);
  while (pos < datagram.length) {
    if (datagram[pos] === PADDING_FRAME_TYPE) {
      for (let p = pos + 1; p <= datagram.length; p++) out.add(p);
      break;
    }
    pos += 3 + datagram.readUInt16BE(pos + 1);
    out.add(pos);
  }
  return out;
}

describe('PROTOCOL §14 vectors', () => {
  it('are all present and cover every packet and frame type', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(36);
    const packetTypes = new Set(byPrefix('packet/').map((v) => (v.json as Packet).header.type));
    expect([...packetTypes].sort()).toEqual(Object.keys(PacketType).sort());
    const frameTypes = new Set(byPrefix('frame/').map((v) => (v.json as Frame).type));
    expect([...frameTypes].sort()).toEqual(Object.keys(FrameType).sort());
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
  });

  it('key: the seed gives the published stream id (RFC 8032 §7.1 TEST 1)', () => {
    const seed = fromJson<{ seed: Buffer }>(key.json).seed;
    expect(streamKeysFromSeed(seed).streamId.toString('hex')).toBe(streamId.toString('hex'));
  });

  describe.each(byPrefix('header/').map((v) => [v.name, v] as const))('%s', (_name, v: SpecVector) => {
    it('decodes to the JSON and encodes to the hex', () => {
      expect(toJson(decodeHeader(v.bytes))).toEqual(v.json);
      const header = fromJson<PacketHeader>(v.json);
      const w = ByteWriter.alloc(headerLength(header));
      writeHeader(w, header, header.type);
      expect(w.buf.toString('hex')).toBe(v.bytes.toString('hex'));
    });
    it('rejects every truncated prefix', () => {
      for (let n = 0; n < v.bytes.length; n++)
        expectMalformed(() => decodeHeader(v.bytes.subarray(0, n)), `${n} bytes`);
    });
  });

  describe.each(byPrefix('packet/').map((v) => [v.name, v] as const))('%s', (_name, v: SpecVector) => {
    it('decodes to the JSON', () => {
      expect(toJson(decodePacket(v.bytes))).toEqual(v.json);
    });
    if (v.decodeOnly) {
      it('encodes, without the skipped bytes, to a datagram with the same frames', () => {
        const canonical = encodePacket(fromJson<Packet>(v.json));
        expect(canonical.length).toBeLessThan(v.bytes.length);
        expect(toJson(decodePacket(canonical))).toEqual({ ...(v.json as object), unknownFrames: 0 });
      });
    } else {
      it('encodes to the hex', () => {
        expect(encodePacket(fromJson<Packet>(v.json)).toString('hex')).toBe(v.bytes.toString('hex'));
      });
    }
    it('rejects every truncated prefix (DATA: except at frame boundaries)', () => {
      const full = decodePacket(v.bytes);
      const ok = full.header.type === 'DATA' ? frameBoundaries(v.bytes) : new Set<number>();
      for (let n = 0; n < v.bytes.length; n++) {
        const prefix = v.bytes.subarray(0, n);
        if (ok.has(n)) expect(decodePacket(prefix).header.type).toBe('DATA');
        else expectMalformed(() => decodePacket(prefix), `${n} bytes`);
      }
    });
  });

  describe.each(byPrefix('frame/').map((v) => [v.name, v] as const))('%s', (_name, v: SpecVector) => {
    it('decodes to the JSON, encodes to the hex, and its length is encodedFrameLength', () => {
      expect(toJson(decodeFrame(v.bytes))).toEqual(v.json);
      const frame = fromJson<Frame>(v.json);
      expect(encodeFrame(frame).toString('hex')).toBe(v.bytes.toString('hex'));
      expect(encodedFrameLength(frame)).toBe(v.bytes.length);
    });
    it('rejects every truncated prefix', () => {
      for (let n = 1; n < v.bytes.length; n++)
        expectMalformed(() => decodeFrames(v.bytes.subarray(0, n)), `${n} bytes`);
    });
    it('is accepted inside a DATA packet', () => {
      const header = { type: 'DATA' as const, dcid: Buffer.alloc(8), pn: 1, timestamp: 2, timestampDiff: 3 };
      const datagram = Buffer.concat([encodePacket({ header, frames: [], unknownFrames: 0 }), v.bytes]);
      expect(datagram.length).toBe(HEADER_LENGTH + v.bytes.length);
      expect(toJson(decodePacket(datagram))).toEqual({
        header: toJson(header),
        frames: [v.json],
        unknownFrames: 0,
      });
    });
  });

  describe.each(byPrefix('record/').map((v) => [v.name, v] as const))('%s', (name, v: SpecVector) => {
    const isEntry = name.startsWith('record/segment-entry');
    const decode = (b: Buffer) => (isEntry ? decodeSegmentEntry(b) : decodeStreamInfo(b));
    it('decodes to the JSON, encodes to the hex, and its signature verifies', () => {
      expect(toJson(decode(v.bytes))).toEqual(v.json);
      if (isEntry) {
        const entry = fromJson<SegmentEntry>(v.json);
        expect(encodeSegmentEntry(entry).toString('hex')).toBe(v.bytes.toString('hex'));
        expect(verifyEntry(streamId, entry)).toBe(true);
      } else {
        const info = fromJson<StreamInfo>(v.json);
        expect(encodeStreamInfo(info).toString('hex')).toBe(v.bytes.toString('hex'));
        expect(verifyStreamInfo(streamId, info)).toBe(true);
      }
    });
    it('rejects every truncated prefix', () => {
      for (let n = 0; n < v.bytes.length; n++)
        expectMalformed(() => decode(v.bytes.subarray(0, n)), `${n} bytes`);
    });
  });

  describe.each(byPrefix('signed/').map((v) => [v.name, v] as const))('%s', (name, v: SpecVector) => {
    it('gives the exact bytes the signature covers', () => {
      const { streamId: id, record } = fromJson<{ streamId: Buffer; record: never }>(v.json);
      const build = {
        'signed/segment-entry': segmentEntrySignedBytes,
        'signed/stream-info': streamInfoSignedBytes,
        'signed/piece-map': pieceMapSignedBytes,
        'signed/offline-notice': offlineNoticeSignedBytes,
      }[name];
      expect(build, name).toBeDefined();
      expect(build!(id, record).toString('hex')).toBe(v.bytes.toString('hex'));
    });
  });

  it('frame/offline: the notice verifies under the stream id, and not under another', () => {
    const { notice } = fromJson<FrameOf<'OFFLINE'>>(vectors.find((v) => v.name === 'frame/offline')!.json);
    expect(verifyOfflineNotice(streamId, notice)).toBe(true);
    expect(verifyOfflineNotice(streamId, { ...notice, nextSeq: notice.nextSeq + 1 })).toBe(false);
  });

  it('frame/piece-map: both signatures verify, and the hashes are those of the segment the prose states', () => {
    const frameOf = <T extends Frame['type']>(name: string) =>
      fromJson<FrameOf<T>>(vectors.find((v) => v.name === name)!.json);
    const { map } = frameOf<'PIECE_MAP'>('frame/piece-map');
    expect(verifyPieceMap(streamId, map)).toBe(true);
    const segment = Buffer.from(Array.from({ length: map.entry.size }, (_, i) => i % 251));
    expect(createHash('sha256').update(segment).digest()).toEqual(map.entry.sha256);
    for (let i = 0; i < map.hashes.length; i++) {
      const { offset, length } = pieceRange(map, i);
      expect(pieceMatches(map, i, segment.subarray(offset, offset + length)), `piece ${i}`).toBe(true);
    }
    // frame/segment-request-range asks for its last piece.
    expect(frameOf<'SEGMENT_REQUEST'>('frame/segment-request-range').range).toEqual(pieceRange(map, 2));
  });
});
