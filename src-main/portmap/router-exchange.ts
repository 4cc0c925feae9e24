// One request to the router's NAT-PMP/PCP port (both use UDP 5351), retransmitted at 250 ms,
// doubling (RFC 6886 §3.1; RFC 6887 §8.1.1 starts at 3 s, but the caller's deadline is 4 s
// and a lost first packet would use it all), until an answer `parse` accepts arrives from the
// router's address and port, or `signal` aborts. Datagrams from anywhere else, or that `parse`
// rejects, are ignored: nothing a stranger sends can throw inside the socket callback.

import { createSocket, type Socket } from 'node:dgram';
import { NoAnswer } from './mapping-protocol.js';

const FIRST_RETRANSMIT_MS = 250;

export class RouterExchange {
  private socket: Socket | null = null;
  private closed = false;

  constructor(
    readonly gateway: string,
    private readonly port: number,
  ) {}

  /** The local address the socket sends from toward the router (once a request went out). */
  localAddress(): string | null {
    try {
      return this.socket?.address().address ?? null;
    } catch {
      return null;
    }
  }

  /** Opens the socket (bound to an ephemeral port, connected to the router). */
  async open(): Promise<Socket> {
    if (this.closed) throw new NoAnswer('closed');
    if (this.socket) return this.socket;
    const s = createSocket('udp4');
    s.on('error', () => undefined); // a failed send shows as no answer
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, () => {
          s.off('error', reject);
          resolve();
        });
      });
      // Connected: the kernel picks the source address toward the router (localAddress) and
      // drops datagrams from anyone else.
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.connect(this.port, this.gateway, () => {
          s.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      s.close();
      throw err;
    }
    // close() ran while the socket was opening: nobody will close this one but us.
    if (this.closed || this.socket) {
      s.close();
      if (this.closed) throw new NoAnswer('closed');
      return this.socket!;
    }
    this.socket = s;
    return s;
  }

  async request<T>(body: Buffer, parse: (msg: Buffer) => T | null, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw new NoAnswer('cancelled');
    const socket = await this.open();
    // Aborted while the socket opened: the abort listener below would never run.
    if (signal.aborted) throw new NoAnswer('cancelled');
    return new Promise<T>((resolve, reject) => {
      let wait = FIRST_RETRANSMIT_MS;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const send = (): void => {
        try {
          socket.send(body);
        } catch {
          // closed under us: the caller's abort ends the request
        }
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
        reject(new NoAnswer(`no answer from ${this.gateway}`));
      };
      const onMessage = (msg: Buffer, from: { address: string; port: number }): void => {
        if (from.address !== this.gateway || from.port !== this.port) return; // RFC 6886 §3.1
        const answer = parse(msg);
        if (answer === null) return;
        done();
        resolve(answer);
      };
      socket.on('message', onMessage);
      signal.addEventListener('abort', onAbort, { once: true });
      send();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
