// NAT-PMP (RFC 6886) UDP mapping client: one request at a time to the default gateway's port
// 5351, retransmitted at 250 ms, doubling (§3.1), within the caller's deadline (router-exchange.ts).
//
// Why our own and not the NAT-PMP half of `@achingbrain/nat-port-mapper` 4.0.5 (whose UPnP
// half we use, upnp-client.ts): its PMP client reads answers without checking their length
// or sender (a 1-byte datagram to port 5350 throws inside the socket callback, which ends
// the process), never retransmits (one lost packet wedges its queue for good), writes the
// lifetime given in milliseconds into the seconds field, and drops the lifetime the router
// granted. The protocol is three fixed-size messages, so the client is short.

import type { MappingGrant, MappingProtocol } from './mapping-protocol.js';
import { RouterExchange } from './router-exchange.js';

export const NATPMP_PORT = 5351;
const OP_EXTERNAL_ADDRESS = 0;
const OP_MAP_UDP = 1;

const RESULTS: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized (NAT-PMP turned off on the router?)',
  3: 'network failure (the router has no public address?)',
  4: 'out of resources',
  5: 'unsupported opcode',
};

export interface NatPmpOptions {
  gateway: string;
  /** Tests: the server's port (default 5351). */
  port?: number;
}

/** The fields of a NAT-PMP answer we use, or null when `msg` is not a valid answer to `op`. */
export function parseNatPmpAnswer(
  msg: Buffer,
  op: number,
): {
  result: number;
  address?: string;
  internalPort?: number;
  externalPort?: number;
  lifetimeSec?: number;
} | null {
  const size = op === OP_EXTERNAL_ADDRESS ? 12 : 16;
  if (msg.length < 4 || msg[0] !== 0 || msg[1] !== 128 + op) return null;
  const result = msg.readUInt16BE(2);
  if (result !== 0) return { result };
  if (msg.length < size) return null;
  if (op === OP_EXTERNAL_ADDRESS) return { result, address: [...msg.subarray(8, 12)].join('.') };
  return {
    result,
    internalPort: msg.readUInt16BE(8),
    externalPort: msg.readUInt16BE(10),
    lifetimeSec: msg.readUInt32BE(12),
  };
}

export class NatPmpClient implements MappingProtocol {
  readonly name = 'natpmp' as const;
  private readonly exchange: RouterExchange;

  constructor(private readonly options: NatPmpOptions) {
    this.exchange = new RouterExchange(options.gateway, options.port ?? NATPMP_PORT);
  }

  async map(internalPort: number, lifetimeMs: number, signal: AbortSignal): Promise<MappingGrant> {
    const lifetimeSec = Math.max(1, Math.round(lifetimeMs / 1000));
    const answer = await this.request(
      OP_MAP_UDP,
      mapRequest(internalPort, internalPort, lifetimeSec),
      signal,
    );
    if (answer.internalPort !== internalPort || !answer.externalPort || !answer.lifetimeSec)
      throw new Error(`the router answered for port ${answer.internalPort}, not ${internalPort}`);
    return {
      externalHost: await this.externalAddress(signal),
      externalPort: answer.externalPort,
      lifetimeMs: answer.lifetimeSec * 1000,
    };
  }

  /** RFC 6886 §3.2: the gateway's external address. */
  async externalAddress(signal: AbortSignal): Promise<string> {
    const answer = await this.request(OP_EXTERNAL_ADDRESS, Buffer.from([0, OP_EXTERNAL_ADDRESS]), signal);
    return answer.address!;
  }

  async unmap(internalPort: number, signal: AbortSignal): Promise<void> {
    // §3.4: lifetime 0 and external port 0 delete the mapping.
    await this.request(OP_MAP_UDP, mapRequest(internalPort, 0, 0), signal);
  }

  close(): Promise<void> {
    return this.exchange.close();
  }

  private async request(
    op: number,
    body: Buffer,
    signal: AbortSignal,
  ): Promise<NonNullable<ReturnType<typeof parseNatPmpAnswer>>> {
    const answer = await this.exchange.request(body, (msg) => parseNatPmpAnswer(msg, op), signal);
    if (answer.result !== 0)
      throw new Error(`refused: result ${answer.result} (${RESULTS[answer.result] ?? 'unknown'})`);
    return answer;
  }
}

function mapRequest(internalPort: number, externalPort: number, lifetimeSec: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(0, 0);
  b.writeUInt8(OP_MAP_UDP, 1);
  b.writeUInt16BE(internalPort, 4);
  b.writeUInt16BE(externalPort, 6);
  b.writeUInt32BE(lifetimeSec, 8);
  return b;
}
