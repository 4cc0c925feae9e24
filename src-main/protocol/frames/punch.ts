// Hole-punching frames: ADDRESSES, PUNCH_REQUEST, PUNCH_CONNECT, PUNCH_FAILED (PROTOCOL §5.18).

import { NODE_ID_LENGTH, PUNCH_TOKEN_LENGTH } from '../constants.js';
import { candidateListLength, readCandidateList, writeCandidateList } from '../punch-candidate.js';
import type { FrameBodyCodecs } from './frame-body.js';

export const punchFrames: FrameBodyCodecs<'ADDRESSES' | 'PUNCH_REQUEST' | 'PUNCH_CONNECT' | 'PUNCH_FAILED'> =
  {
    // §5.18 ADDRESSES: nat u8, candidate list.
    ADDRESSES: {
      length: (f) => 1 + candidateListLength(f.candidates),
      write(w, f) {
        w.u8(f.nat);
        writeCandidateList(w, f.candidates);
      },
      read: (r) => ({ type: 'ADDRESSES', nat: r.u8('nat'), candidates: readCandidateList(r) }),
    },
    // §5.18 PUNCH_REQUEST: nodeId.
    PUNCH_REQUEST: {
      length: () => NODE_ID_LENGTH,
      write: (w, f) => w.fixed(f.nodeId, NODE_ID_LENGTH, 'nodeId'),
      read: (r) => ({ type: 'PUNCH_REQUEST', nodeId: r.bytes(NODE_ID_LENGTH, 'nodeId') }),
    },
    // §5.18 PUNCH_CONNECT: token, nodeId, nat u8, role u8, candidate list.
    PUNCH_CONNECT: {
      length: (f) => PUNCH_TOKEN_LENGTH + NODE_ID_LENGTH + 2 + candidateListLength(f.candidates),
      write(w, f) {
        w.fixed(f.token, PUNCH_TOKEN_LENGTH, 'token');
        w.fixed(f.nodeId, NODE_ID_LENGTH, 'nodeId');
        w.u8(f.nat);
        w.u8(f.role);
        writeCandidateList(w, f.candidates);
      },
      read: (r) => ({
        type: 'PUNCH_CONNECT',
        token: r.bytes(PUNCH_TOKEN_LENGTH, 'token'),
        nodeId: r.bytes(NODE_ID_LENGTH, 'nodeId'),
        nat: r.u8('nat'),
        role: r.u8('role'),
        candidates: readCandidateList(r),
      }),
    },
    // §5.18 PUNCH_FAILED: nodeId, reason u8.
    PUNCH_FAILED: {
      length: () => NODE_ID_LENGTH + 1,
      write(w, f) {
        w.fixed(f.nodeId, NODE_ID_LENGTH, 'nodeId');
        w.u8(f.reason);
      },
      read: (r) => ({
        type: 'PUNCH_FAILED',
        nodeId: r.bytes(NODE_ID_LENGTH, 'nodeId'),
        reason: r.u8('PUNCH_FAILED reason'),
      }),
    },
  };
