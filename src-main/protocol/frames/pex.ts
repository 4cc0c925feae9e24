// Peer exchange frames: PEX_REQUEST, PEX_RESPONSE (PROTOCOL §5.14).

import { pexPeerListLength, readPexPeerList, writePexPeerList } from '../pex-peer.js';
import { ShoalError } from '../../../src-shared/errors.js';
import type { FrameBodyCodecs } from './frame-body.js';

export const pexFrames: FrameBodyCodecs<'PEX_REQUEST' | 'PEX_RESPONSE'> = {
  // §5.14 PEX_REQUEST: max u8.
  PEX_REQUEST: {
    length: () => 1,
    write: (w, f) => w.u8(f.max),
    read: (r) => ({ type: 'PEX_REQUEST', max: r.u8('PEX_REQUEST') }),
  },
  // §5.14 PEX_RESPONSE: count u8, count × PEX entry.
  PEX_RESPONSE: {
    length: (f) => pexPeerListLength(f.peers),
    write(w, f) {
      if (f.peers.length > 255) throw ShoalError.internal(`${f.peers.length} peers in one PEX_RESPONSE`);
      writePexPeerList(w, f.peers);
    },
    read: (r) => ({ type: 'PEX_RESPONSE', peers: readPexPeerList(r) }),
  },
};
