// Handshake packet bodies: HELLO, RETRY, WELCOME, REJECT (PROTOCOL §4). Each body follows
// the header (and ACK block, if any); bytes after a body's defined fields are ignored
// (PROTOCOL §12).

import {
  CONNECTION_ID_LENGTH,
  MAX_COOKIE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MIN_MAX_DATAGRAM,
  NODE_ID_LENGTH,
  STREAM_ID_LENGTH,
} from './constants.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import type { HelloBody, RejectBody, RetryBody, WelcomeBody } from './types.js';
import { addressLength, readAddress, writeAddress } from './address.js';
import { pexPeerListLength, readPexPeerList, writePexPeerList } from './pex-peer.js';
import { utf8Truncated, utf8TruncatedLength } from './utf8.js';
import { ShoalError } from '../../src-shared/errors.js';

// ---- §4.1 HELLO ----

/** Body length without padding (the packet encoder pads the datagram to MIN_HELLO_DATAGRAM). */
export function helloBodyLength(body: HelloBody): number {
  return 1 + 1 + 4 + STREAM_ID_LENGTH + CONNECTION_ID_LENGTH + NODE_ID_LENGTH + 2 + 1 + body.cookie.length;
}

export function writeHelloBody(w: ByteWriter, body: HelloBody): void {
  checkCookie(body.cookie.length, 0);
  w.u8(body.minVersion);
  w.u8(body.maxVersion);
  w.u32(body.capabilities);
  w.fixed(body.streamId, STREAM_ID_LENGTH, 'streamId');
  w.fixed(body.sourceCid, CONNECTION_ID_LENGTH, 'sourceCid');
  w.fixed(body.nodeId, NODE_ID_LENGTH, 'nodeId');
  w.u16(body.maxDatagram);
  w.u8(body.cookie.length);
  w.bytes(body.cookie);
}

export function readHelloBody(r: ByteReader): HelloBody {
  const minVersion = r.u8('HELLO');
  const maxVersion = r.u8('HELLO');
  const capabilities = r.u32('HELLO');
  const streamId = r.bytes(STREAM_ID_LENGTH, 'HELLO streamId');
  const sourceCid = r.bytes(CONNECTION_ID_LENGTH, 'HELLO sourceCid');
  const nodeId = r.bytes(NODE_ID_LENGTH, 'HELLO nodeId');
  const maxDatagram = readMaxDatagram(r);
  const cookieLength = r.u8('HELLO cookie length');
  if (cookieLength > MAX_COOKIE_LENGTH) throw ShoalError.malformed(`cookie of ${cookieLength} bytes`);
  const cookie = r.bytes(cookieLength, 'HELLO cookie');
  if (minVersion > maxVersion) throw ShoalError.malformed('HELLO minVersion > maxVersion');
  return { minVersion, maxVersion, capabilities, streamId, sourceCid, nodeId, maxDatagram, cookie };
}

// ---- §4.2 RETRY ----

export function retryBodyLength(body: RetryBody): number {
  return 1 + body.cookie.length;
}

export function writeRetryBody(w: ByteWriter, body: RetryBody): void {
  checkCookie(body.cookie.length, 1);
  w.u8(body.cookie.length);
  w.bytes(body.cookie);
}

export function readRetryBody(r: ByteReader): RetryBody {
  const n = r.u8('RETRY cookie length');
  if (n < 1 || n > MAX_COOKIE_LENGTH) throw ShoalError.malformed(`RETRY cookie of ${n} bytes`);
  return { cookie: r.bytes(n, 'RETRY cookie') };
}

// ---- §4.3 WELCOME ----

export function welcomeBodyLength(body: WelcomeBody): number {
  return 1 + 4 + CONNECTION_ID_LENGTH + NODE_ID_LENGTH + 2 + 4 + addressLength(body.observed.host);
}

export function writeWelcomeBody(w: ByteWriter, body: WelcomeBody): void {
  w.u8(body.version);
  w.u32(body.capabilities);
  w.fixed(body.sourceCid, CONNECTION_ID_LENGTH, 'sourceCid');
  w.fixed(body.nodeId, NODE_ID_LENGTH, 'nodeId');
  w.u16(body.maxDatagram);
  w.u32(body.idleTimeoutMs);
  writeAddress(w, body.observed);
}

export function readWelcomeBody(r: ByteReader): WelcomeBody {
  const version = r.u8('WELCOME');
  const capabilities = r.u32('WELCOME');
  const sourceCid = r.bytes(CONNECTION_ID_LENGTH, 'WELCOME sourceCid');
  const nodeId = r.bytes(NODE_ID_LENGTH, 'WELCOME nodeId');
  const maxDatagram = readMaxDatagram(r);
  const idleTimeoutMs = r.u32('WELCOME');
  const observed = readAddress(r);
  return { version, capabilities, sourceCid, nodeId, maxDatagram, idleTimeoutMs, observed };
}

// ---- §4.4 REJECT ----

export function rejectBodyLength(body: RejectBody): number {
  return 2 + 1 + utf8TruncatedLength(body.message, MAX_MESSAGE_LENGTH) + pexPeerListLength(body.peers);
}

export function writeRejectBody(w: ByteWriter, body: RejectBody): void {
  const message = utf8Truncated(body.message, MAX_MESSAGE_LENGTH);
  w.u16(body.code);
  w.u8(message.length);
  w.bytes(message);
  writePexPeerList(w, body.peers);
}

export function readRejectBody(r: ByteReader): RejectBody {
  const code = r.u16('REJECT');
  const message = r.utf8(r.u8('REJECT message length'), 'REJECT message');
  return { code, message, peers: readPexPeerList(r) };
}

// ---- shared ----

function readMaxDatagram(r: ByteReader): number {
  const v = r.u16('maxDatagram');
  if (v < MIN_MAX_DATAGRAM) throw ShoalError.malformed(`maxDatagram ${v} < ${MIN_MAX_DATAGRAM}`);
  return v;
}

function checkCookie(length: number, min: number): void {
  if (length < min || length > MAX_COOKIE_LENGTH) {
    throw ShoalError.internal(`cookie must be ${min}..${MAX_COOKIE_LENGTH} bytes, got ${length}`);
  }
}
