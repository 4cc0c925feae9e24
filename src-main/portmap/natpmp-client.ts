// NAT-PMP (RFC 6886) UDP mapping client: one request at a time to the default gateway's port
// 5351, retransmitted at 250 ms, doubling (§3.1), within the caller's deadline.
//
// Why our own and not the NAT-PMP half of `@achingbrain/nat-port-mapper` 4.0.5 (whose UPnP
// half we use, upnp-client.ts): its PMP client reads answers without checking their length
// or sender (a 1-byte datagram to port 5350 throws inside the socket callback, which ends
// the process), never retransmits (one lost packet wedges its queue for good), writes the
// lifetime given in milliseconds into the seconds field, and drops the lifetime the router
// granted. The protocol is three fixed-size messages, so the client is short.

import { createSocket, type Socket } from 'node:dgram';
import { NoAnswer, type MappingGrant, type MappingProtocol } from './mapping-protocol.js';

export const NATPMP_PORT = 5351;
const OP_EXTERNAL_ADDRESS = 0;
const OP_MAP_UDP = 1;
const FIRST_RETRANSMIT_MS = 250;

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
  private socket: Socket | null = null;

  constructor(private readonly options: NatPmpOptions) {}

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

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private async open(): Promise<Socket> {
    if (this.socket) return this.socket;
    const s = createSocket('udp4');
    s.on('error', () => undefined); // a failed send shows as no answer
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, () => {
        s.off('error', reject);
        resolve();
      });
    });
    this.socket = s;
    return s;
  }

  private async request(
    op: number,
    body: Buffer,
    signal: AbortSignal,
  ): Promise<NonNullable<ReturnType<typeof parseNatPmpAnswer>>> {
    if (signal.aborted) throw new NoAnswer('cancelled');
    const socket = await this.open();
    const port = this.options.port ?? NATPMP_PORT;
    return new Promise((resolve, reject) => {
      let wait = FIRST_RETRANSMIT_MS;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const send = (): void => {
        socket.send(body, port, this.options.gateway);
        timer = setTimeout(send, wait);
        wait *= 2;
      };
      const done = (): void => {
        if (timer) clearTimeout(timer);
        socket.off('message', onMessage);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        reject(new NoAnswer(`no answer from ${this.options.gateway}`));
      };
      const onMessage = (msg: Buffer, from: { address: string; port: number }): void => {
        if (from.address !== this.options.gateway || from.port !== port) return; // RFC 6886 §3.1
        const answer = parseNatPmpAnswer(msg, op);
        if (!answer) return;
        done();
        if (answer.result !== 0)
          reject(new Error(`refused: result ${answer.result} (${RESULTS[answer.result] ?? 'unknown'})`));
        else resolve(answer);
      };
      socket.on('message', onMessage);
      signal.addEventListener('abort', onAbort, { once: true });
      send();
    });
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
