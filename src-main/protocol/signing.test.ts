import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exportPrivateKeyPkcs8,
  exportPrivateKeySeed,
  generateStreamKeys,
  importPrivateKeyPkcs8,
  publicKeyFromStreamId,
  rawPublicKey,
  segmentMatchesEntry,
  signEntry,
  signStreamInfo,
  streamKeysFromSeed,
  verifyEntry,
  verifyStreamInfo,
} from './signing.js';
import {
  decodeSegmentEntry,
  decodeStreamInfo,
  encodeSegmentEntry,
  encodeStreamInfo,
  segmentEntrySignedBytes,
  type UnsignedSegmentEntry,
  type UnsignedStreamInfo,
} from './records.js';
import { MAX_STREAM_INFO_LENGTH, SEGMENT_ENTRY_LENGTH } from './constants.js';
import type { SegmentEntry, StreamInfo } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 0x42));
const other = streamKeysFromSeed(Buffer.alloc(32, 0x43));
const segment = Buffer.from('some segment bytes');
const unsignedEntry: UnsignedSegmentEntry = {
  rendition: 1,
  flags: 2,
  seq: 77,
  initSeq: 3,
  durationUs: 4_000_000,
  size: segment.length,
  programDateTimeMs: 1_767_225_600_123,
  sha256: createHash('sha256').update(segment).digest(),
};
const unsignedInfo: UnsignedStreamInfo = {
  flags: 2,
  createdAtMs: 1_767_225_600_000,
  targetDurationMs: 4000,
  renditions: [
    { id: 0, bandwidth: 1_000_000, width: 1280, height: 720, name: '720p', codecs: 'avc1.64001f' },
  ],
};
const entry = signEntry(keys.privateKey, keys.streamId, unsignedEntry);
const info = signStreamInfo(keys.privateKey, keys.streamId, unsignedInfo);

describe('ed25519 keys (PROTOCOL §2.3, §6)', () => {
  it('a stream id is the raw 32-byte public key', () => {
    const k = generateStreamKeys();
    expect(k.streamId.length).toBe(32);
    expect(rawPublicKey(k.privateKey)).toEqual(k.streamId);
    expect(rawPublicKey(publicKeyFromStreamId(k.streamId))).toEqual(k.streamId);
  });

  it('round-trips private keys through PKCS#8 and the raw seed', () => {
    const k = generateStreamKeys();
    const fromDer = importPrivateKeyPkcs8(exportPrivateKeyPkcs8(k.privateKey));
    expect(fromDer.streamId).toEqual(k.streamId);
    const seed = exportPrivateKeySeed(k.privateKey);
    expect(seed.length).toBe(32);
    expect(streamKeysFromSeed(seed).streamId).toEqual(k.streamId);
  });

  it('refuses keys that are not ed25519 with BAD_SETTINGS / BAD_SIGNATURE', () => {
    expect(() => importPrivateKeyPkcs8(Buffer.from('not a key'))).toThrowError(
      expect.objectContaining({ code: ErrorCode.BAD_SETTINGS }) as Error,
    );
    expect(() => streamKeysFromSeed(Buffer.alloc(31))).toThrow(ShoalError);
    expect(() => publicKeyFromStreamId(Buffer.alloc(31))).toThrowError(
      expect.objectContaining({ code: ErrorCode.BAD_SIGNATURE }) as Error,
    );
  });
});

describe('signed records (PROTOCOL §6)', () => {
  it('verifies a freshly signed entry and stream info, also after a wire round trip', () => {
    expect(verifyEntry(keys.streamId, entry)).toBe(true);
    expect(verifyStreamInfo(keys.streamId, info)).toBe(true);
    expect(verifyEntry(keys.streamId, decodeSegmentEntry(encodeSegmentEntry(entry)))).toBe(true);
    expect(verifyStreamInfo(keys.streamId, decodeStreamInfo(encodeStreamInfo(info)))).toBe(true);
  });

  it('signs context || streamId || the first 58 bytes of the entry', () => {
    const signed = segmentEntrySignedBytes(keys.streamId, unsignedEntry);
    expect(signed.subarray(0, 22).toString()).toBe('shoal/v1/segment-entry');
    expect(signed.subarray(22, 54)).toEqual(keys.streamId);
    expect(signed.subarray(54)).toEqual(encodeSegmentEntry(entry).subarray(0, 58));
  });

  it('rejects an entry with any single bit flipped (that still decodes)', () => {
    const bytes = encodeSegmentEntry(entry);
    for (let bit = 0; bit < SEGMENT_ENTRY_LENGTH * 8; bit++) {
      const b = Buffer.from(bytes);
      b[bit >> 3]! ^= 0x80 >> (bit & 7);
      let decoded: SegmentEntry;
      try {
        decoded = decodeSegmentEntry(b);
      } catch (err) {
        // Only a programDateTimeMs above 2^53 fails to decode.
        expect((err as ShoalError).code).toBe(ErrorCode.MALFORMED);
        continue;
      }
      expect(verifyEntry(keys.streamId, decoded), `bit ${bit}`).toBe(false);
    }
  });

  it('rejects a stream info with any single bit flipped (that still decodes)', () => {
    const bytes = encodeStreamInfo(info);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const b = Buffer.from(bytes);
      b[bit >> 3]! ^= 0x80 >> (bit & 7);
      let decoded: StreamInfo;
      try {
        decoded = decodeStreamInfo(b);
      } catch (err) {
        expect((err as ShoalError).code).toBe(ErrorCode.MALFORMED);
        continue;
      }
      expect(verifyStreamInfo(keys.streamId, decoded), `bit ${bit}`).toBe(false);
    }
  });

  it('rejects records under a different stream id, and swapped record kinds', () => {
    expect(verifyEntry(other.streamId, entry)).toBe(false);
    expect(verifyStreamInfo(other.streamId, info)).toBe(false);
    // A stream info signature is no entry signature (different contexts).
    expect(verifyEntry(keys.streamId, { ...entry, signature: info.signature })).toBe(false);
  });

  it('rejects modified fields of the decoded form', () => {
    const changes: Partial<SegmentEntry>[] = [
      { seq: 78 },
      { initSeq: null },
      { size: 1 },
      { sha256: Buffer.alloc(32) },
      { programDateTimeMs: 0 },
    ];
    for (const c of changes) expect(verifyEntry(keys.streamId, { ...entry, ...c })).toBe(false);
    expect(verifyStreamInfo(keys.streamId, { ...info, flags: 3 })).toBe(false);
    expect(verifyStreamInfo(keys.streamId, { ...info, renditions: [] })).toBe(false);
  });

  it('never throws on garbage: returns false', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 70 }), (id, sig) => {
        expect(verifyEntry(id, { ...entry, signature: sig })).toBe(false);
        expect(verifyStreamInfo(id, { ...info, signature: sig })).toBe(false);
      }),
      { numRuns: 300 },
    );
    const junk = { ...entry, sha256: Buffer.alloc(3) };
    expect(verifyEntry(keys.streamId, junk)).toBe(false);
    expect(verifyEntry(keys.streamId, { ...entry, signature: undefined as unknown as Uint8Array })).toBe(
      false,
    );
    // A 32-byte string that is not a valid curve point.
    expect(verifyEntry(Buffer.alloc(32, 0xff), entry)).toBe(false);
  });

  it('checks segment bytes against the entry (size and SHA-256)', () => {
    expect(segmentMatchesEntry(entry, segment)).toBe(true);
    expect(segmentMatchesEntry(entry, Buffer.from('some segment byteZ'))).toBe(false);
    expect(segmentMatchesEntry(entry, segment.subarray(1))).toBe(false);
  });

  it('refuses to sign a stream info above MAX_STREAM_INFO_LENGTH with TOO_LARGE', () => {
    const big: UnsignedStreamInfo = {
      ...unsignedInfo,
      renditions: Array.from({ length: 8 }, (_, id) => ({
        ...unsignedInfo.renditions[0]!,
        id,
        codecs: 'x'.repeat(120),
      })),
    };
    expect(() => signStreamInfo(keys.privateKey, keys.streamId, big)).toThrowError(
      expect.objectContaining({ code: ErrorCode.TOO_LARGE }) as Error,
    );
    const fits: UnsignedStreamInfo = { ...big, renditions: big.renditions.slice(0, 6) };
    expect(encodeStreamInfo(signStreamInfo(keys.privateKey, keys.streamId, fits)).length).toBeLessThanOrEqual(
      MAX_STREAM_INFO_LENGTH,
    );
  });
});
