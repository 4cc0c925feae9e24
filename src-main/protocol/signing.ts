// ed25519 signatures over the records of PROTOCOL §6 (node:crypto, no dependencies).
// A stream id is the broadcaster's raw 32-byte public key; its private key stays on the
// broadcaster's disk as PKCS#8 DER (or the raw 32-byte seed). Verification never throws:
// garbage in is simply "not valid".

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SHA256_LENGTH, SIGNATURE_LENGTH, STREAM_ID_LENGTH } from './constants.js';
import {
  segmentEntrySignedBytes,
  streamInfoSignedBytes,
  type UnsignedSegmentEntry,
  type UnsignedStreamInfo,
} from './records.js';
import type { SegmentEntry, StreamInfo } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

/** DER prefix of an ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** DER prefix of an ed25519 PKCS#8 PrivateKeyInfo (RFC 8410); the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface StreamKeys {
  /** Raw 32-byte ed25519 public key: the stream's identity on the wire. */
  streamId: Buffer;
  privateKey: KeyObject;
}

export function generateStreamKeys(): StreamKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { streamId: rawPublicKey(publicKey), privateKey };
}

/** Keys from a raw 32-byte ed25519 seed (RFC 8032 "private key"); deterministic. */
export function streamKeysFromSeed(seed: Uint8Array): StreamKeys {
  if (seed.length !== 32) throw new ShoalError(ErrorCode.BAD_SETTINGS, 'an ed25519 seed is 32 bytes');
  return keysFromPrivate(
    createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
  );
}

/** PKCS#8 DER of the private key, for storing on disk. */
export function exportPrivateKeyPkcs8(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' });
}

/** Inverse of exportPrivateKeyPkcs8; throws BAD_SETTINGS on anything but an ed25519 key. */
export function importPrivateKeyPkcs8(der: Uint8Array): StreamKeys {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new ShoalError(ErrorCode.BAD_SETTINGS, 'not a PKCS#8 private key', false, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ShoalError(ErrorCode.BAD_SETTINGS, `expected an ed25519 key, got ${key.asymmetricKeyType}`);
  }
  return keysFromPrivate(key);
}

/** The raw 32-byte seed of the private key (the other half of streamKeysFromSeed). */
export function exportPrivateKeySeed(privateKey: KeyObject): Buffer {
  return exportPrivateKeyPkcs8(privateKey).subarray(PKCS8_PREFIX.length);
}

/** Raw 32-byte public key of an ed25519 KeyObject (public or private). */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/** KeyObject for a raw 32-byte public key (a stream id). Throws BAD_SIGNATURE if it is not one. */
export function publicKeyFromStreamId(streamId: Uint8Array): KeyObject {
  if (streamId.length !== STREAM_ID_LENGTH) {
    throw new ShoalError(ErrorCode.BAD_SIGNATURE, `a stream id is ${STREAM_ID_LENGTH} bytes`);
  }
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, streamId]), format: 'der', type: 'spki' });
  } catch (err) {
    throw new ShoalError(ErrorCode.BAD_SIGNATURE, 'not an ed25519 public key', false, { cause: err });
  }
}

// Verification runs for every HAVE and PLAYLIST entry: keep parsed keys of recent streams.
const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_SIZE = 64;

function cachedPublicKey(streamId: Uint8Array): KeyObject | null {
  const id = Buffer.from(streamId.buffer, streamId.byteOffset, streamId.byteLength).toString('hex');
  let key = keyCache.get(id);
  if (key === undefined) {
    try {
      key = publicKeyFromStreamId(streamId);
    } catch {
      key = null;
    }
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

function keysFromPrivate(privateKey: KeyObject): StreamKeys {
  return { streamId: rawPublicKey(privateKey), privateKey };
}

// ---- §6.1 / §6.2 ----

export function signEntry(
  privateKey: KeyObject,
  streamId: Uint8Array,
  entry: UnsignedSegmentEntry,
): SegmentEntry {
  const signature = sign(null, segmentEntrySignedBytes(streamId, entry), privateKey);
  return { ...entry, signature };
}

export function verifyEntry(streamId: Uint8Array, entry: SegmentEntry): boolean {
  return verifySigned(streamId, entry.signature, () => segmentEntrySignedBytes(streamId, entry));
}

/** Throws TOO_LARGE if the record would exceed MAX_STREAM_INFO_LENGTH (PROTOCOL §6.2). */
export function signStreamInfo(
  privateKey: KeyObject,
  streamId: Uint8Array,
  info: UnsignedStreamInfo,
): StreamInfo {
  const signature = sign(null, streamInfoSignedBytes(streamId, info), privateKey);
  return { ...info, signature };
}

export function verifyStreamInfo(streamId: Uint8Array, info: StreamInfo): boolean {
  return verifySigned(streamId, info.signature, () => streamInfoSignedBytes(streamId, info));
}

/**
 * Does `signature` verify under the stream id over the bytes `signed()` builds? Never throws
 * (a builder that throws means "not valid"); parsed public keys are cached per stream id.
 * Shared by every signed record (§6.1, §6.2, §6.4).
 */
export function verifySigned(streamId: Uint8Array, signature: Uint8Array, signed: () => Buffer): boolean {
  try {
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
    if (!(streamId instanceof Uint8Array) || streamId.length !== STREAM_ID_LENGTH) return false;
    const key = cachedPublicKey(streamId);
    return key !== null && verify(null, signed(), key, signature);
  } catch {
    return false;
  }
}

/** PROTOCOL §6.1 — does `data` match the entry's size and SHA-256? (The signature is checked separately.) */
export function segmentMatchesEntry(entry: SegmentEntry, data: Uint8Array): boolean {
  if (data.length !== entry.size || entry.sha256.length !== SHA256_LENGTH) return false;
  return createHash('sha256').update(data).digest().equals(entry.sha256);
}
