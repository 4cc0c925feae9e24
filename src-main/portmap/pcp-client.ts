// PCP (RFC 6887) UDP mapping client: the MAP opcode to the default gateway's port 5351, the
// successor of NAT-PMP that some routers speak instead of it (FRITZ!Box, for one). One
// mapping per client: its nonce (§11.1) is drawn once and sent again with every renewal and
// with the delete, as the server requires. A router that speaks only NAT-PMP answers a
// version-2 request "unsupported version" in NAT-PMP's format (RFC 6887 Appendix A); that is a
// refusal, and the port mapping goes on to the NAT-PMP client.

import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { MappingGrant, MappingProtocol } from './mapping-protocol.js';
import { RouterExchange } from './router-exchange.js';

export const PCP_PORT = 5351;
const VERSION = 2;
const OP_MAP = 1;
const UDP = 17;
const HEADER = 24;
const MAP_BODY = 36;
/** Size of a MAP request and of a MAP response (§7.1, §7.2, §11.1). */
export const PCP_MAP_SIZE = HEADER + MAP_BODY;

const RESULTS: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized (PCP turned off on the router?)',
  3: 'malformed request',
  4: 'unsupported opcode',
  5: 'unsupported option',
  6: 'malformed option',
  7: 'network failure (the router has no public address?)',
  8: 'out of resources',
  9: 'unsupported protocol',
  10: 'over the user quota',
  11: 'cannot provide an external address',
  12: 'address mismatch (a NAT between us and the router?)',
  13: 'excessive remote peers',
};

export interface PcpOptions {
  gateway: string;
  /** Tests: the server's port (default 5351). */
  port?: number;
  /** Tests: the mapping nonce (default: 12 random bytes). */
  nonce?: Buffer;
}

/** An IPv4 address as the 16-byte IPv4-mapped IPv6 address PCP carries (§5). */
function mappedV4(address: string): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16BE(0xffff, 10);
  address.split('.').forEach((octet, i) => b.writeUInt8(Number(octet), 12 + i));
  return b;
}

/** A MAP request for UDP `internalPort` (§11.1); lifetime 0 deletes the mapping (§15). */
export function pcpMapRequest(
  clientIp: string,
  nonce: Buffer,
  internalPort: number,
  lifetimeSec: number,
): Buffer {
  const b = Buffer.alloc(PCP_MAP_SIZE);
  b.writeUInt8(VERSION, 0);
  b.writeUInt8(OP_MAP, 1); // R bit 0: a request
  b.writeUInt32BE(lifetimeSec, 4);
  mappedV4(clientIp).copy(b, 8);
  nonce.copy(b, HEADER, 0, 12);
  b.writeUInt8(UDP, HEADER + 12);
  b.writeUInt16BE(internalPort, HEADER + 16);
  // Suggested external port: the same one, as for NAT-PMP; none when deleting.
  b.writeUInt16BE(lifetimeSec === 0 ? 0 : internalPort, HEADER + 18);
  mappedV4('0.0.0.0').copy(b, HEADER + 20); // no preferred external address
  return b;
}

export type PcpAnswer =
  | { result: 0; lifetimeSec: number; externalPort: number; externalHost: string }
  | { result: number; natPmpOnly?: true };

/**
 * A MAP response to our request (nonce, protocol and internal port all ours), or null for
 * anything else (ignored). A NAT-PMP "unsupported version" answer (version 0, opcode 128 + 1,
 * result 1) is read as `natPmpOnly`.
 */
export function parsePcpAnswer(msg: Buffer, nonce: Buffer, internalPort: number): PcpAnswer | null {
  if (msg.length >= 4 && msg[0] === 0 && msg[1] === 128 + OP_MAP && msg.readUInt16BE(2) === 1)
    return { result: 1, natPmpOnly: true };
  if (msg.length < HEADER || msg[0] !== VERSION || msg[1] !== 0x80 + OP_MAP) return null;
  const result = msg[3]!;
  // An error may come without the opcode's fields (§7.2: a server that cannot parse them).
  if (msg.length < PCP_MAP_SIZE) return result === 0 ? null : { result };
  if (!msg.subarray(HEADER, HEADER + 12).equals(nonce)) return null;
  if (msg[HEADER + 12] !== UDP || msg.readUInt16BE(HEADER + 16) !== internalPort) return null;
  if (result !== 0) return { result };
  const ip = msg.subarray(HEADER + 20, HEADER + 36);
  const v4 = ip.subarray(0, 10).every((x) => x === 0) && ip.readUInt16BE(10) === 0xffff;
  if (!v4) return null; // we asked for an IPv4 mapping
  return {
    result: 0,
    lifetimeSec: msg.readUInt32BE(4),
    externalPort: msg.readUInt16BE(HEADER + 18),
    externalHost: [...ip.subarray(12, 16)].join('.'),
  };
}

export class PcpClient implements MappingProtocol {
  readonly name = 'pcp' as const;
  private readonly exchange: RouterExchange;
  private readonly nonce: Buffer;
  /** The mapping asked for last (renewed by externalAddress). */
  private last: { internalPort: number; lifetimeMs: number } | null = null;
  private lastPort: number | null = null;

  constructor(options: PcpOptions) {
    this.exchange = new RouterExchange(options.gateway, options.port ?? PCP_PORT);
    this.nonce = options.nonce ?? randomBytes(12);
  }

  async map(internalPort: number, lifetimeMs: number, signal: AbortSignal): Promise<MappingGrant> {
    const lifetimeSec = Math.max(1, Math.round(lifetimeMs / 1000));
    const answer = await this.request(internalPort, lifetimeSec, signal);
    if (answer.result !== 0 || !('externalPort' in answer)) throw new Error('unreachable');
    if (!answer.externalPort || !answer.lifetimeSec)
      throw new Error(`the router granted port ${answer.externalPort} for ${answer.lifetimeSec} s`);
    this.last = { internalPort, lifetimeMs };
    this.lastPort = answer.externalPort;
    return {
      externalHost: answer.externalHost,
      externalPort: answer.externalPort,
      lifetimeMs: answer.lifetimeSec * 1000,
    };
  }

  /** The router's public address now: PCP has no opcode for it, so the mapping is renewed (§11.2.1). */
  async externalAddress(signal: AbortSignal): Promise<string> {
    if (!this.last) throw new Error('PCP: no mapping to renew');
    return (await this.map(this.last.internalPort, this.last.lifetimeMs, signal)).externalHost;
  }

  grantedPort(): number | null {
    return this.lastPort;
  }

  async unmap(internalPort: number, signal: AbortSignal): Promise<void> {
    await this.request(internalPort, 0, signal);
    this.last = null;
    this.lastPort = null;
  }

  close(): Promise<void> {
    return this.exchange.close();
  }

  private async request(internalPort: number, lifetimeSec: number, signal: AbortSignal): Promise<PcpAnswer> {
    await this.exchange.open();
    const self = this.exchange.localAddress();
    if (!self || !isIPv4(self)) throw new Error(`no IPv4 address toward ${this.exchange.gateway}`);
    const answer = await this.exchange.request(
      pcpMapRequest(self, this.nonce, internalPort, lifetimeSec),
      (msg) => parsePcpAnswer(msg, this.nonce, internalPort),
      signal,
    );
    if ('natPmpOnly' in answer) throw new Error('the router speaks NAT-PMP, not PCP');
    if (answer.result !== 0)
      throw new Error(`refused: result ${answer.result} (${RESULTS[answer.result] ?? 'unknown'})`);
    return answer;
  }
}
