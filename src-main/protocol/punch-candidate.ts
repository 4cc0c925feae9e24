// Hole-punching candidates (PROTOCOL §5.18): `kind u8` then a socket address (family,
// address, port, as in PEX entries, §5.14). Lists are `count u8` then the candidates, at
// most MAX_PUNCH_CANDIDATES; a longer list is malformed (it bounds what a peer makes us try).

import { MAX_PUNCH_CANDIDATES } from './constants.js';
import { addressLength, readAddress, writeAddress } from './address.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import type { PunchCandidate } from './types.js';
import { ShoalError } from '../../src-shared/errors.js';

export function candidateListLength(list: readonly PunchCandidate[]): number {
  let n = 1;
  for (const c of list) n += 1 + addressLength(c.host);
  return n;
}

export function writeCandidateList(w: ByteWriter, list: readonly PunchCandidate[]): void {
  if (list.length > MAX_PUNCH_CANDIDATES) throw ShoalError.internal(`${list.length} punch candidates`);
  w.u8(list.length);
  for (const c of list) {
    w.u8(c.kind);
    writeAddress(w, c);
  }
}

export function readCandidateList(r: ByteReader): PunchCandidate[] {
  const count = r.u8('candidate count');
  if (count > MAX_PUNCH_CANDIDATES) throw ShoalError.malformed(`${count} punch candidates`);
  const out: PunchCandidate[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.u8('candidate kind');
    out.push({ kind, ...readAddress(r) });
  }
  return out;
}
