// PEX entry (PROTOCOL §5.14): a peer address plus its node id and role flags. Carried by
// PEX_RESPONSE and by REJECT (where else a refused client may go).

import { NODE_ID_LENGTH } from './constants.js';
import { addressLength, readAddress, writeAddress } from './address.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import type { PexPeer } from './types.js';

export function pexPeerLength(peer: PexPeer): number {
  return addressLength(peer.host) + NODE_ID_LENGTH + 1;
}

export function writePexPeer(w: ByteWriter, peer: PexPeer): void {
  writeAddress(w, peer);
  w.fixed(peer.nodeId, NODE_ID_LENGTH, 'nodeId');
  w.u8(peer.flags);
}

export function readPexPeer(r: ByteReader): PexPeer {
  const { host, port } = readAddress(r);
  return { host, port, nodeId: r.bytes(NODE_ID_LENGTH, 'nodeId'), flags: r.u8('PEX flags') };
}

/** u8 count followed by that many entries. */
export function pexPeerListLength(peers: readonly PexPeer[]): number {
  let n = 1;
  for (const p of peers) n += pexPeerLength(p);
  return n;
}

export function writePexPeerList(w: ByteWriter, peers: readonly PexPeer[]): void {
  w.u8(peers.length);
  for (const p of peers) writePexPeer(w, p);
}

export function readPexPeerList(r: ByteReader): PexPeer[] {
  const count = r.u8('PEX count');
  const peers: PexPeer[] = [];
  for (let i = 0; i < count; i++) peers.push(readPexPeer(r));
  return peers;
}
