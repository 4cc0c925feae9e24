// Types for the two untyped libraries the DHT code uses (bittorrent-dht 11, bencode 4):
// only the parts Shoal calls.

declare module 'bencode' {
  const bencode: {
    encode(value: unknown): Uint8Array;
    decode(data: Uint8Array): unknown;
  };
  export default bencode;
}

declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';

  export interface DhtNodeAddress {
    host: string;
    port: number;
  }

  export interface MutableItem {
    v: Uint8Array;
    k: Uint8Array;
    sig: Uint8Array;
    seq: number;
    salt?: Uint8Array;
    id?: Uint8Array;
  }

  export interface DhtOptions {
    bootstrap?: string[] | false;
    verify?: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
    host?: string | false;
    concurrency?: number;
    maxValues?: number;
    maxPeers?: number;
    maxAge?: number;
    timeBucketOutdated?: number;
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    readonly nodeId: Buffer;
    readonly ready: boolean;
    readonly listening: boolean;
    readonly destroyed: boolean;
    listen(port: number, address: string, onListening?: () => void): void;
    address(): { address: string; family: string; port: number };
    addNode(node: DhtNodeAddress): void;
    toJSON(): { nodes: DhtNodeAddress[] };
    put(
      options: {
        k: Uint8Array;
        v: Uint8Array;
        seq: number;
        salt?: Uint8Array;
        sign: (message: Buffer) => Uint8Array;
      },
      callback: (err: Error | null, hash: Buffer, n: number) => void,
    ): Buffer;
    get(
      target: Uint8Array,
      options: { salt?: Uint8Array; cache?: boolean },
      callback: (err: Error | null, item: MutableItem | null) => void,
    ): void;
    announce(infoHash: Uint8Array, port: number, callback: (err: Error | null) => void): void;
    lookup(infoHash: Uint8Array, callback: (err: Error | null, found: number) => void): () => void;
    destroy(callback?: () => void): void;
  }
}
