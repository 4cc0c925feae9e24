// One node of the BitTorrent Mainline DHT (bittorrent-dht: routing, tokens, storage for
// others, all theirs), with promise-returning calls for the few operations Shoal uses
// (PROTOCOL §15): put/get of a mutable item, announce/get_peers. It has its own UDP socket,
// apart from the Shoal socket (see PROTOCOL §15.4 for why and what that means behind NAT).
// bittorrent-dht speaks IPv4 only (no BEP 32), so the node binds an IPv4 address; IPv6
// endpoints still travel inside the record.

import DHT, { type MutableItem } from 'bittorrent-dht';
import type { KeyObject } from 'node:crypto';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import {
  DHT_RECORD_SALT,
  dhtRecordTarget,
  signDhtMessage,
  verifyDhtSignature,
} from '../protocol/dht-record.js';
import type { PeerAddress } from '../protocol/types.js';

export interface DhtNodeOptions {
  /** `host:port` of the nodes to join through; [] = start a DHT of our own (tests, labs). */
  bootstrap: readonly string[];
  /** IPv4 address to bind; default all. */
  bindHost?: string;
  /** UDP port; 0 = any. */
  port?: number;
  /**
   * How long start() waits for the first walk of the DHT (the routing table filling up);
   * 0 = not at all: lookups work before it, starting from the bootstrap nodes.
   */
  readyTimeoutMs?: number;
}

export interface SignedPut {
  streamId: Uint8Array;
  privateKey: KeyObject;
  value: Uint8Array;
  seq: number;
}

export class DhtNode {
  private readonly dht: DHT;
  private destroyed = false;
  private lastError: ShoalError | null = null;

  private constructor(dht: DHT) {
    this.dht = dht;
    // Socket errors (e.g. a send to an unroutable host) must not take the process down.
    dht.on('error', (err: unknown) => {
      this.lastError = ShoalError.from(err, ErrorCode.IO);
    });
    dht.on('warning', () => undefined);
  }

  static async start(options: DhtNodeOptions): Promise<DhtNode> {
    const dht = new DHT({
      bootstrap: options.bootstrap.length > 0 ? [...options.bootstrap] : false,
      verify: verifyDhtSignature,
    });
    const node = new DhtNode(dht);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: unknown): void => reject(ShoalError.io('cannot open the DHT socket', err));
      dht.once('error', onError);
      dht.listen(options.port ?? 0, options.bindHost ?? '0.0.0.0', () => {
        dht.off('error', onError);
        resolve();
      });
    });
    await node.whenReady(options.readyTimeoutMs ?? 10_000);
    return node;
  }

  private whenReady(timeoutMs: number): Promise<void> {
    if (this.dht.ready || timeoutMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref?.();
      this.dht.once('ready', done);
      const dht = this.dht;
      function done(): void {
        clearTimeout(timer);
        dht.off('ready', done);
        resolve();
      }
    });
  }

  get port(): number {
    return this.dht.address().port;
  }

  /** DHT nodes in our routing table (0: nobody answered; the bootstrap nodes may be unreachable). */
  nodeCount(): number {
    return (this.dht as unknown as { nodes: { count(): number } }).nodes.count();
  }

  /** Asks nodes again (after a network change, or when the table is empty). */
  addNodes(nodes: readonly PeerAddress[]): void {
    for (const n of nodes) this.dht.addNode({ host: n.host, port: n.port });
  }

  get error(): ShoalError | null {
    return this.lastError;
  }

  /** BEP 44 put of a mutable item salted with DHT_RECORD_SALT. Resolves with how many nodes stored it. */
  putRecord(put: SignedPut): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(ShoalError.closed('the DHT node'));
      // bittorrent-dht reuses the nodes (and their write tokens) of a lookup for 5 minutes,
      // but a token is valid only from the IP address it was given to: after our address
      // changed, every put with them is refused. A put is rare: always look the nodes up again.
      const tables = (this.dht as unknown as { _tables?: { remove(key: string): void } })._tables;
      tables?.remove(dhtRecordTarget(put.streamId).toString('hex'));
      try {
        this.dht.put(
          {
            k: put.streamId,
            v: put.value,
            seq: put.seq,
            salt: DHT_RECORD_SALT,
            sign: (message) => signDhtMessage(put.privateKey, message),
          },
          (err, _hash, n) => {
            if (err || !n) reject(dhtError('no DHT node stored the record', err));
            else resolve(n);
          },
        );
      } catch (err) {
        reject(dhtError('cannot put the record', err));
      }
    });
  }

  /** BEP 44 get of a salted mutable item; null when no node has it. Signatures are checked by `verify`. */
  getRecord(target: Uint8Array): Promise<MutableItem | null> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(ShoalError.closed('the DHT node'));
      // cache: false — our own node may hold an older copy it stored for someone.
      this.dht.get(target, { salt: DHT_RECORD_SALT, cache: false }, (err, item) => {
        if (err) reject(dhtError('DHT lookup failed', err));
        else resolve(item);
      });
    });
  }

  /** BEP 5 announce_peer: we take part in `infoHash` at our Shoal UDP port. */
  announce(infoHash: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(ShoalError.closed('the DHT node'));
      this.dht.announce(infoHash, port, (err) =>
        err ? reject(dhtError('announce failed', err)) : resolve(),
      );
    });
  }

  /** BEP 5 get_peers: calls `onPeer` for each peer found; resolves when the lookup ends. */
  lookup(infoHash: Uint8Array, onPeer: (peer: PeerAddress) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(ShoalError.closed('the DHT node'));
      const hex = Buffer.from(infoHash).toString('hex');
      const listener = (peer: PeerAddress, hash: Buffer): void => {
        if (hash.toString('hex') === hex) onPeer({ host: peer.host, port: peer.port });
      };
      this.dht.on('peer', listener);
      this.dht.lookup(infoHash, (err) => {
        this.dht.off('peer', listener);
        if (err) reject(dhtError('get_peers failed', err));
        else resolve();
      });
    });
  }

  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    return new Promise((resolve) => this.dht.destroy(() => resolve()));
  }
}

function dhtError(what: string, cause: unknown): ShoalError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new ShoalError(ErrorCode.NO_PEERS, `${what}${detail}`, false, { cause });
}
