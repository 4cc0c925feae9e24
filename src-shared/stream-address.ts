// Stream addresses: `shoal://<streamId>@host:port[,host:port...]`, or the short form
// `shoal://<streamId>` that a viewer resolves on the DHT (PROTOCOL §2.3, §15).
//
// The stream id is the broadcaster's 32-byte ed25519 public key in lower-case RFC 4648
// base32 without padding (52 characters, see base32.ts); upper case is accepted on input.
// The endpoints are bootstrap peers (usually the broadcaster itself). IPv6 hosts are
// written in brackets and kept in the one text form a socket reports (see ipv6.ts), so
// that replies from them match the address dialled (PROTOCOL §2.3). `shoal:<id>@...` (no `//`, as some link handlers rewrite it) is
// accepted too. Parsing is strict and every rejection says exactly what is wrong, because
// addresses are pasted by people and the message is all they get.

import { base32Decode, base32Encode, base32Length } from './base32.js';
import { ShoalError } from './errors.js';
import { nonUnicastReason } from './ip-scope.js';
import { canonicalIPv6, ipv4Problem, ipv6Problem } from './ipv6.js';

/** A host and UDP port in a stream address (not the transport's Endpoint, a UDP socket). */
export interface HostPort {
  host: string;
  port: number;
}

export interface StreamAddress {
  streamId: string;
  /** Empty for the short form: the endpoints are on the DHT (PROTOCOL §15). */
  bootstrap: HostPort[];
}

const PUBLIC_KEY_LENGTH = 32;
export const STREAM_ID_CHARS = base32Length(PUBLIC_KEY_LENGTH); // 52
/** Bounds the work a hostile address can cause; real addresses carry a handful. */
export const MAX_BOOTSTRAP_ENDPOINTS = 32;

export function streamIdFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw ShoalError.badAddress(`a public key has ${PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`);
  }
  return base32Encode(publicKey);
}

/** The raw public key behind a stream id; throws BAD_ADDRESS saying what is wrong. */
export function publicKeyBytes(streamId: string): Uint8Array {
  if (/^[0-9a-f]{64}$/i.test(streamId)) {
    throw ShoalError.badAddress(
      `stream id looks like hex; Shoal stream ids are ${STREAM_ID_CHARS} base32 characters (a-z, 2-7)`,
    );
  }
  if (streamId.length !== STREAM_ID_CHARS) {
    throw ShoalError.badAddress(`stream id has ${streamId.length} characters, expected ${STREAM_ID_CHARS}`);
  }
  const decoded = base32Decode(streamId);
  if (typeof decoded === 'string') throw ShoalError.badAddress(`stream id: ${decoded}`);
  return decoded;
}

export function isStreamId(text: string): boolean {
  try {
    publicKeyBytes(text);
    return true;
  } catch {
    return false;
  }
}

export function parseStreamAddress(text: string): StreamAddress {
  const trimmed = text.trim();
  if (trimmed === '') throw ShoalError.badAddress('the address is empty');
  const schemeMatch = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  if (!schemeMatch) throw ShoalError.badAddress('it must start with shoal://');
  const scheme = (schemeMatch[1] as string).toLowerCase();
  if (scheme !== 'shoal') throw ShoalError.badAddress(`wrong scheme "${scheme}:", expected shoal://`);

  let rest = trimmed.slice(schemeMatch[0].length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest.endsWith('/')) rest = rest.slice(0, -1); // apps like to append one
  const stray = /[/?#\s]/.exec(rest);
  if (stray) {
    throw ShoalError.badAddress(
      `unexpected ${JSON.stringify(stray[0])} at "${rest.slice(stray.index)}" (an address has no path, query or spaces)`,
    );
  }

  const at = rest.indexOf('@');
  if (at < 0) {
    // The short form: the viewer looks the endpoints up on the DHT (PROTOCOL §15).
    if (isStreamId(rest)) return { streamId: rest.toLowerCase(), bootstrap: [] };
    if (rest.includes(':'))
      throw ShoalError.badAddress('missing "@" between the stream id and the endpoints');
    publicKeyBytes(rest); // says what is wrong with the id
    throw ShoalError.badAddress('not a stream id');
  }
  const streamId = rest.slice(0, at).toLowerCase();
  if (streamId === '') throw ShoalError.badAddress('missing stream id before "@"');
  publicKeyBytes(streamId);

  const list = rest.slice(at + 1);
  if (list === '') throw ShoalError.badAddress('missing endpoint after "@" (expected host:port)');
  const parts = list.split(',');
  if (parts.length > MAX_BOOTSTRAP_ENDPOINTS) {
    throw ShoalError.badAddress(`too many endpoints (${parts.length}, at most ${MAX_BOOTSTRAP_ENDPOINTS})`);
  }
  const bootstrap = parts.map((part, i) => parseHostPort(part, i + 1));
  return { streamId, bootstrap };
}

/**
 * Builds the canonical text of an address (the short form when it has no endpoints); throws
 * BAD_ADDRESS for anything parse would reject.
 */
export function formatStreamAddress(address: StreamAddress): string {
  if (address.bootstrap.length === 0) return shortStreamAddress(address.streamId);
  const endpoints = address.bootstrap.map((e) => formatHostPort(e));
  // The one set of rules, applied to what we hand out; its result is in canonical form.
  const parsed = parseStreamAddress(`shoal://${address.streamId}@${endpoints.join(',')}`);
  return `shoal://${parsed.streamId}@${parsed.bootstrap.map(formatHostPort).join(',')}`;
}

/** `shoal://<id>`: the address a viewer resolves on the DHT (PROTOCOL §15). */
export function shortStreamAddress(streamId: string): string {
  const id = streamId.toLowerCase();
  publicKeyBytes(id);
  return `shoal://${id}`;
}

export function formatHostPort(endpoint: HostPort): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}

function parseHostPort(text: string, position: number): HostPort {
  const where = `endpoint ${position} ("${text}")`;
  if (text === '')
    throw ShoalError.badAddress(`missing endpoint at position ${position} (empty between commas)`);
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw ShoalError.badAddress(`${where}: "[" without "]"`);
    host = text.slice(1, close).toLowerCase();
    const after = text.slice(close + 1);
    if (!after.startsWith(':')) throw ShoalError.badAddress(`${where}: missing ":port" after "]"`);
    portText = after.slice(1);
    const problem = ipv6Problem(host);
    if (problem) throw ShoalError.badAddress(`${where}: bad IPv6 address (${problem})`);
    // One text per address, the one the socket reports (PROTOCOL §2.3, §4.3).
    host = canonicalIPv6(host);
    refuseNonUnicast(host, where);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw ShoalError.badAddress(`${where}: missing ":port"`);
    host = text.slice(0, colon).toLowerCase();
    portText = text.slice(colon + 1);
    if (host.includes(':'))
      throw ShoalError.badAddress(`${where}: an IPv6 address must be written in [brackets]`);
    if (host === '') throw ShoalError.badAddress(`${where}: missing host`);
    const problem = /^[0-9.]+$/.test(host) ? ipv4Problem(host) : hostnameProblem(host);
    if (problem) throw ShoalError.badAddress(`${where}: bad host (${problem})`);
    refuseNonUnicast(host, where);
  }
  return { host, port: parsePort(portText, where) };
}

/** A bootstrap endpoint is one peer: never a multicast, broadcast or unspecified address. */
function refuseNonUnicast(host: string, where: string): void {
  const reason = nonUnicastReason(host);
  if (reason) throw ShoalError.badAddress(`${where}: ${host} is ${reason}, not the address of a peer`);
}

function parsePort(text: string, where: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) {
    throw ShoalError.badAddress(`${where}: bad port "${text}" (expected a number from 1 to 65535)`);
  }
  const port = Number(text);
  if (port < 1 || port > 65535) throw ShoalError.badAddress(`${where}: port ${port} is out of range 1-65535`);
  return port;
}

function hostnameProblem(host: string): string | null {
  if (host.length > 253) return 'longer than 253 characters';
  for (const label of host.split('.')) {
    if (label === '') return 'empty label';
    if (label.length > 63) return `label "${label.slice(0, 16)}..." is longer than 63 characters`;
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label)) return `"${label}" is not a valid host name label`;
  }
  return null;
}
