// Server side of the handshake (PROTOCOL §4, §10.2–§10.4): a HELLO without a valid
// cookie gets only a RETRY (stateless, within the 3x amplification budget); with one, the
// address is proven and the node admits or rejects the stream.

import {
  MAX_SUPPORTED_VERSION,
  MIN_SUPPORTED_VERSION,
  encodePacket,
  type HelloBody,
  type PacketHeader,
  type PeerAddress,
  type PexPeer,
} from '../protocol/index.js';
import { ErrorCode } from '../../src-shared/errors.js';
import { wireTimestamp } from './clock.js';
import { AmplificationLedger } from './amplification.js';
import { CookieMint } from './cookie.js';
import { cidHex } from './connection-ids.js';

export type StreamAdmission =
  { accept: true } | { accept: false; code: number; message?: string; peers?: PexPeer[] };

/** What the node makes of a HELLO with a valid cookie; `drop`: no answer (the client retries). */
export type HelloAdmission = { welcome: Buffer } | StreamAdmission | { drop: true };

export interface HandshakeServerHost {
  now(): number;
  wallSeconds(): number;
  send(buf: Buffer, host: string, port: number): void;
  /** Decides on a HELLO with a valid cookie; returns the WELCOME to send, or a rejection. */
  admit(hello: HelloBody, from: PeerAddress): HelloAdmission;
  /** The WELCOME already sent for this (address, client cid), if the session exists. */
  existingWelcome(key: string): Buffer | undefined;
}

export interface HandshakeServerStats {
  hellosReceived: number;
  retriesSent: number;
  badCookies: number;
  rejectsSent: number;
  welcomesSent: number;
  amplificationLimited: number;
  /** HELLOs with a valid cookie left unanswered: too many unconfirmed sessions (§10.2). */
  hellosDropped: number;
}

const ZERO_CID = new Uint8Array(8);

export class HandshakeServer {
  private readonly mint = new CookieMint();
  readonly ledger = new AmplificationLedger();
  readonly stats: HandshakeServerStats = {
    hellosReceived: 0,
    retriesSent: 0,
    badCookies: 0,
    rejectsSent: 0,
    welcomesSent: 0,
    amplificationLimited: 0,
    hellosDropped: 0,
  };

  constructor(private readonly host: HandshakeServerHost) {}

  /** Identifies a half-open or open inbound session by its client's address and cid. */
  static helloKey(host: string, port: number, clientCid: Uint8Array): string {
    return `${host}|${port}|${cidHex(clientCid)}`;
  }

  onHello(hello: HelloBody, host: string, port: number, size: number): void {
    this.stats.hellosReceived++;
    const addrKey = `${host}|${port}`;
    this.ledger.onReceived(addrKey, size);
    if (hello.maxVersion < MIN_SUPPORTED_VERSION || hello.minVersion > MAX_SUPPORTED_VERSION) {
      this.reject(
        hello,
        host,
        port,
        { code: ErrorCode.UNSUPPORTED_VERSION, message: 'version 1 only' },
        true,
      );
      return;
    }
    const now = this.host.wallSeconds();
    const verdict =
      hello.cookie.length === 0 ? 'absent' : this.mint.verify(hello.cookie, host, port, hello.sourceCid, now);
    if (verdict !== 'valid') {
      if (verdict !== 'absent') this.stats.badCookies++;
      const cookie = this.mint.issue(host, port, hello.sourceCid, now);
      const retry = encodePacket({ header: this.header('RETRY', hello.sourceCid), body: { cookie } });
      if (this.sendLimited(addrKey, retry, host, port)) this.stats.retriesSent++;
      return;
    }
    // The cookie proves the client receives at this address: no amplification limit from here.
    const again = this.host.existingWelcome(HandshakeServer.helloKey(host, port, hello.sourceCid));
    if (again !== undefined) {
      this.host.send(again, host, port);
      this.stats.welcomesSent++;
      return;
    }
    const decision = this.host.admit(hello, { host, port });
    if ('drop' in decision) {
      this.stats.hellosDropped++;
    } else if ('welcome' in decision) {
      this.host.send(decision.welcome, host, port);
      this.stats.welcomesSent++;
    } else if (!decision.accept) {
      this.reject(hello, host, port, decision, false);
    }
  }

  private reject(
    hello: HelloBody,
    host: string,
    port: number,
    r: { code: number; message?: string; peers?: PexPeer[] },
    limited: boolean,
  ): void {
    const buf = encodePacket({
      header: this.header('REJECT', hello.sourceCid),
      body: { code: r.code, message: r.message ?? '', peers: (r.peers ?? []).slice(0, 32) },
    });
    if (limited && !this.sendLimited(`${host}|${port}`, buf, host, port)) return;
    if (!limited) this.host.send(buf, host, port);
    this.stats.rejectsSent++;
  }

  private sendLimited(addrKey: string, buf: Buffer, host: string, port: number): boolean {
    if (!this.ledger.trySend(addrKey, buf.length)) {
      this.stats.amplificationLimited++;
      return false;
    }
    this.host.send(buf, host, port);
    return true;
  }

  header<T extends PacketHeader['type']>(type: T, dcid: Uint8Array): PacketHeader & { type: T } {
    return {
      type,
      dcid: dcid.length === 8 ? dcid : ZERO_CID,
      pn: 0,
      timestamp: wireTimestamp(this.host.now()),
      timestampDiff: 0,
    };
  }
}
