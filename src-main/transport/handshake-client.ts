// Client side of the handshake (PROTOCOL §4, §10.2): HELLO (padded to 1200 bytes),
// retransmitted with exponential backoff until RETRY, WELCOME, REJECT or the timeout.

import {
  MAX_SUPPORTED_VERSION,
  MIN_SUPPORTED_VERSION,
  encodePacket,
  type PeerAddress,
} from '../protocol/index.js';
import type { Clock, TimerHandle } from './clock.js';
import { wireTimestamp } from './clock.js';

const ZERO_CID = new Uint8Array(8);
const NO_COOKIE = new Uint8Array(0);
/** A server that keeps answering RETRY is broken or hostile: stop following it. */
const MAX_RETRIES_FOLLOWED = 3;

export interface ConnectAttemptHost {
  clock: Clock;
  send(buf: Buffer, host: string, port: number): void;
  capabilities: number;
  nodeId: Uint8Array;
  maxDatagram: number;
  helloRetransmitMs: number;
}

export class ConnectAttempt {
  private cookie: Uint8Array = NO_COOKIE;
  private transmissions = 0;
  private retriesFollowed = 0;
  private retransmitTimer: TimerHandle | null = null;
  private deadlineTimer: TimerHandle | null = null;
  /** When the last HELLO went out, and whether it was the only one with this cookie (RTT seed). */
  lastHelloAt = 0;
  unambiguousRtt = true;
  done = false;

  constructor(
    private readonly host: ConnectAttemptHost,
    readonly remote: PeerAddress,
    readonly cid: Uint8Array,
    readonly streamId: Uint8Array,
    private readonly onTimeout: () => void,
  ) {}

  start(timeoutMs: number): void {
    this.deadlineTimer = this.host.clock.setTimeout(() => {
      if (this.done) return;
      this.stop();
      this.onTimeout();
    }, timeoutMs);
    this.sendHello(true);
  }

  /** RETRY: repeat the HELLO with the server's cookie at once. */
  onRetry(cookie: Uint8Array): void {
    if (this.done || this.retriesFollowed >= MAX_RETRIES_FOLLOWED) return;
    this.retriesFollowed++;
    this.cookie = Uint8Array.from(cookie);
    this.sendHello(true);
  }

  private sendHello(fresh: boolean): void {
    const now = this.host.clock.now();
    const buf = encodePacket({
      header: {
        type: 'HELLO',
        dcid: ZERO_CID,
        pn: this.transmissions,
        timestamp: wireTimestamp(now),
        timestampDiff: 0,
      },
      body: {
        minVersion: MIN_SUPPORTED_VERSION,
        maxVersion: MAX_SUPPORTED_VERSION,
        capabilities: this.host.capabilities,
        streamId: this.streamId,
        sourceCid: this.cid,
        nodeId: this.host.nodeId,
        maxDatagram: this.host.maxDatagram,
        cookie: this.cookie,
      },
    });
    this.unambiguousRtt = fresh;
    this.lastHelloAt = now;
    this.host.send(buf, this.remote.host, this.remote.port);
    const wait = this.host.helloRetransmitMs * 2 ** Math.min(this.transmissions, 6);
    this.transmissions++;
    if (this.retransmitTimer !== null) this.host.clock.clearTimeout(this.retransmitTimer);
    this.retransmitTimer = this.host.clock.setTimeout(() => {
      this.retransmitTimer = null;
      if (!this.done) this.sendHello(false);
    }, wait);
  }

  stop(): void {
    this.done = true;
    if (this.retransmitTimer !== null) this.host.clock.clearTimeout(this.retransmitTimer);
    if (this.deadlineTimer !== null) this.host.clock.clearTimeout(this.deadlineTimer);
    this.retransmitTimer = this.deadlineTimer = null;
  }
}
