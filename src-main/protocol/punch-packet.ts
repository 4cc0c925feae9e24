// PUNCH packet body (PROTOCOL §4.9): token (8) || nodeId (8). A probe that opens the
// sender's NAT toward a peer it was introduced to (§5.18); never answered.

import { NODE_ID_LENGTH, PUNCH_TOKEN_LENGTH } from './constants.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import type { PunchBody } from './types.js';

export const PUNCH_BODY_LENGTH = PUNCH_TOKEN_LENGTH + NODE_ID_LENGTH;

export function writePunchBody(w: ByteWriter, body: PunchBody): void {
  w.fixed(body.token, PUNCH_TOKEN_LENGTH, 'token');
  w.fixed(body.nodeId, NODE_ID_LENGTH, 'nodeId');
}

export function readPunchBody(r: ByteReader): PunchBody {
  return { token: r.bytes(PUNCH_TOKEN_LENGTH, 'token'), nodeId: r.bytes(NODE_ID_LENGTH, 'nodeId') };
}
