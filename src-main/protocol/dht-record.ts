// PROTOCOL §15 — what Shoal puts on the BitTorrent Mainline DHT: the broadcaster's BEP 44
// mutable item (its endpoints, signed with the stream key) and the BEP 5 key under which
// viewers announce themselves. Encoding and signing only; the DHT itself is bittorrent-dht.

import { createHash, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import bencode from 'bencode';
import { PROTOCOL_VERSION, STREAM_ID_LENGTH } from './constants.js';
import { formatIPv6, ipv6Bytes } from './address.js';
import { unmapIPv4 } from '../../src-shared/ipv6.js';
import { verifySigned } from './signing.js';
import type { PeerAddress } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

/** §15.1 — the BEP 44 salt of the record: the item lives at SHA-1(streamId ‖ salt). */
export const DHT_RECORD_SALT = Buffer.from('shoal/v1/endpoints', 'ascii');
/** §15.3 — context of the BEP 5 swarm key: info_hash = SHA-1(context ‖ streamId). */
export const DHT_SWARM_CONTEXT = Buffer.from('shoal/v1/swarm', 'ascii');
/** §15.1 — BEP 44 allows values below 1000 bytes. */
export const MAX_DHT_VALUE_LENGTH = 999;
/** §15.1 — endpoints in one record, at most. */
export const MAX_DHT_RECORD_ENDPOINTS = 16;
/** §15.1 — length of the node id field. */
export const DHT_NODE_ID_LENGTH = 8;

export interface DhtRecord {
  /** Shoal protocol version the broadcaster speaks (§4.7). */
  version: number;
  /** Where the broadcaster's Shoal socket can be reached, best first. */
  endpoints: PeerAddress[];
  /** The broadcaster node's id for this run (§2.2), or null when absent. */
  nodeId: Uint8Array | null;
}

/** §15.1 — BEP 44 target (the DHT key) of a stream's record: SHA-1(streamId ‖ salt). */
export function dhtRecordTarget(streamId: Uint8Array): Buffer {
  return createHash('sha1').update(streamId).update(DHT_RECORD_SALT).digest();
}

/** §15.3 — the BEP 5 info_hash under which a stream's viewers announce themselves. */
export function dhtSwarmKey(streamId: Uint8Array): Buffer {
  return createHash('sha1').update(DHT_SWARM_CONTEXT).update(streamId).digest();
}

/** §15.1 — one endpoint in compact form: 4 or 16 address bytes, then the port (u16 BE). */
function compactEndpoint(e: PeerAddress): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(e.port);
  // An IPv4 address is 6 bytes, also when given IPv4-mapped (§2.2).
  const v4 = unmapIPv4(e.host);
  const ip = isIPv4(v4) ? Buffer.from(v4.split('.').map(Number)) : Buffer.from(ipv6Bytes(e.host));
  return Buffer.concat([ip, port]);
}

function endpointFromCompact(b: Uint8Array): PeerAddress | null {
  if (b.length !== 6 && b.length !== 18) return null;
  const buf = Buffer.from(b);
  const port = buf.readUInt16BE(b.length - 2);
  if (port === 0) return null;
  const host =
    b.length === 6 ? `${buf[0]}.${buf[1]}.${buf[2]}.${buf[3]}` : unmapIPv4(formatIPv6(buf.subarray(0, 16)));
  return { host, port };
}

/** §15.1 — the bencoded value. Throws TOO_LARGE past 999 bytes, BAD_ADDRESS for a non-IP host. */
export function encodeDhtRecord(record: DhtRecord): Buffer {
  if (record.endpoints.length === 0 || record.endpoints.length > MAX_DHT_RECORD_ENDPOINTS)
    throw ShoalError.badAddress(`a DHT record holds 1 to ${MAX_DHT_RECORD_ENDPOINTS} endpoints`);
  const value: Record<string, unknown> = {
    e: record.endpoints.map(compactEndpoint),
    v: record.version,
  };
  if (record.nodeId) value.n = Buffer.from(record.nodeId);
  const out = Buffer.from(bencode.encode(value));
  if (out.length > MAX_DHT_VALUE_LENGTH)
    throw new ShoalError(ErrorCode.TOO_LARGE, `DHT record of ${out.length} bytes (BEP 44 allows 999)`);
  return out;
}

/**
 * §15.1 — reads a value found on the DHT. Unknown keys are ignored, endpoints of another
 * length or with port 0 are skipped; throws MALFORMED (saying why) when nothing usable is left.
 */
export function decodeDhtRecord(value: Uint8Array): DhtRecord {
  if (value.length > MAX_DHT_VALUE_LENGTH) throw ShoalError.malformed('DHT record over 999 bytes');
  let decoded: unknown;
  try {
    decoded = bencode.decode(Buffer.from(value));
  } catch {
    throw ShoalError.malformed('DHT record is not bencoded');
  }
  if (
    decoded === null ||
    typeof decoded !== 'object' ||
    Array.isArray(decoded) ||
    decoded instanceof Uint8Array
  )
    throw ShoalError.malformed('DHT record is not a dictionary');
  const dict = decoded as Record<string, unknown>;
  if (typeof dict.v !== 'number') throw ShoalError.malformed('DHT record has no version "v"');
  if (!Array.isArray(dict.e)) throw ShoalError.malformed('DHT record has no endpoint list "e"');
  const endpoints: PeerAddress[] = [];
  for (const item of dict.e.slice(0, MAX_DHT_RECORD_ENDPOINTS)) {
    const e = item instanceof Uint8Array ? endpointFromCompact(item) : null;
    if (e) endpoints.push(e);
  }
  if (endpoints.length === 0) throw ShoalError.malformed('DHT record has no usable endpoint');
  const n = dict.n;
  const nodeId = n instanceof Uint8Array && n.length === DHT_NODE_ID_LENGTH ? Buffer.from(n) : null;
  return { version: dict.v, endpoints, nodeId };
}

/** The record this implementation publishes (version = PROTOCOL_VERSION). */
export function dhtRecordOf(endpoints: PeerAddress[], nodeId: Uint8Array | null): DhtRecord {
  return { version: PROTOCOL_VERSION, endpoints: endpoints.slice(0, MAX_DHT_RECORD_ENDPOINTS), nodeId };
}

/**
 * §15.2 — the bytes a BEP 44 signature covers: the bencoded salt, seq and value pairs without
 * the dictionary's `d` … `e` (`4:salt18:shoal/v1/endpoints3:seqi<seq>e1:v<len>:<value>`).
 */
export function dhtSignedBytes(seq: number, value: Uint8Array, salt: Uint8Array = DHT_RECORD_SALT): Buffer {
  const enc = Buffer.from(bencode.encode({ salt: Buffer.from(salt), seq, v: Buffer.from(value) }));
  return enc.subarray(1, enc.length - 1);
}

/** §15.2 — signs the BEP 44 message with the stream key (pure ed25519, no context string). */
export function signDhtMessage(privateKey: KeyObject, message: Uint8Array): Buffer {
  return sign(null, message, privateKey);
}

/**
 * The `verify(signature, message, publicKey)` bittorrent-dht calls for every mutable item
 * (ours and those it stores for others). Never throws.
 */
export function verifyDhtSignature(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== STREAM_ID_LENGTH) return false;
  return verifySigned(publicKey, signature, () => Buffer.from(message));
}
