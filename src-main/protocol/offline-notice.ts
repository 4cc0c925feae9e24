// The broadcaster's offline notice (PROTOCOL §6.5): a signed record saying it stopped on
// purpose, before any entry of rendition 0 numbered nextSeq or later. Viewers relay it
// (§5.16), so one that is not linked to the broadcaster hears of the stop within a few
// hops' RTTs instead of waiting for the stream to go quiet. Verification never throws.

import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { OFFLINE_SIGNING_CONTEXT, SIGNATURE_LENGTH, STREAM_ID_LENGTH } from './constants.js';
import { verifySigned } from './signing.js';
import type { OfflineNotice } from './types.js';

/** PROTOCOL §6.5 — nextSeq u32, stoppedAtMs u64, signature (64). */
export const OFFLINE_NOTICE_LENGTH = 4 + 8 + SIGNATURE_LENGTH;
const CONTEXT = Buffer.from(OFFLINE_SIGNING_CONTEXT, 'ascii');

export type UnsignedOfflineNotice = Omit<OfflineNotice, 'signature'>;

export function writeOfflineNotice(w: ByteWriter, n: OfflineNotice): void {
  w.u32(n.nextSeq);
  w.u64(n.stoppedAtMs);
  w.fixed(n.signature, SIGNATURE_LENGTH, 'OfflineNotice signature');
}

export function readOfflineNotice(r: ByteReader): OfflineNotice {
  const nextSeq = r.u32('OfflineNotice nextSeq');
  const stoppedAtMs = r.u64('OfflineNotice stoppedAtMs');
  const signature = r.bytes(SIGNATURE_LENGTH, 'OfflineNotice signature');
  return { nextSeq, stoppedAtMs, signature };
}

export function encodeOfflineNotice(n: OfflineNotice): Buffer {
  const w = ByteWriter.alloc(OFFLINE_NOTICE_LENGTH);
  writeOfflineNotice(w, n);
  return w.buf;
}

export function decodeOfflineNotice(bytes: Uint8Array): OfflineNotice {
  return readOfflineNotice(new ByteReader(bytes));
}

/** PROTOCOL §6.5 — `"shoal/v1/offline" || streamId || nextSeq u32 || stoppedAtMs u64` (60 bytes). */
export function offlineNoticeSignedBytes(streamId: Uint8Array, n: UnsignedOfflineNotice): Buffer {
  const w = ByteWriter.alloc(CONTEXT.length + STREAM_ID_LENGTH + 12);
  w.bytes(CONTEXT);
  w.fixed(streamId, STREAM_ID_LENGTH, 'streamId');
  w.u32(n.nextSeq);
  w.u64(n.stoppedAtMs);
  return w.buf;
}

export function signOfflineNotice(
  privateKey: KeyObject,
  streamId: Uint8Array,
  n: UnsignedOfflineNotice,
): OfflineNotice {
  return { ...n, signature: sign(null, offlineNoticeSignedBytes(streamId, n), privateKey) };
}

export function verifyOfflineNotice(streamId: Uint8Array, n: OfflineNotice): boolean {
  return verifySigned(streamId, n.signature, () => offlineNoticeSignedBytes(streamId, n));
}
