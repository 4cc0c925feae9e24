// One default configuration built from per-module parts, merged by one function that
// rejects contradictory settings with a clear message and clamps out-of-range values.

import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { RESCUE_SLOTS } from '../swarm/index.js';
import type { DatagramSocket } from '../transport/index.js';

export interface StoreConfig {
  /** Media segments held per rendition (the live window). */
  maxSegments: number;
  /** Bytes held per rendition. */
  maxBytes: number;
}

export interface SwarmConfig {
  /**
   * Direct peers the broadcaster accepts, when not the Settings' maxPeers (tests and labs).
   * Not small on purpose: past its first copies the broadcaster serves only rescues, so its
   * upload does not grow with its neighbours, while each direct neighbour that gets a share
   * of the first copies shortens the relay tree (README "Why the broadcaster takes many").
   */
  broadcasterMaxPeers?: number;
  pushFanout: number;
  pushDelayShare: number;
  maxInFlightPerPeer: number;
  /** Relative sync: a viewer whose player stalled this many segment durations rejoins near live. */
  resyncAfterSegments: number;
  /** Fetch and relay segments piece by piece (PROTOCOL §7.3); off = whole segments only. */
  pieces: boolean;
  /** When full, a neighbour that took, relayed and delivered nothing for this long makes room (PROTOCOL §13.5). */
  idleEvictMs: number;
  /** Broadcaster: slots beyond broadcasterMaxPeers for viewers with no other path (PROTOCOL §13.5). */
  rescueSlots: number;
  /** Hole punching through NATs (PROTOCOL §5.18): introduce neighbours and be introduced. */
  punch: boolean;
}

/**
 * The node's socket: where it binds, and the two transport settings the engine passes on. The
 * endpoint clamps them (resolveTransportConfig in transport/config.ts, one set of bounds); the
 * transport's own TransportConfig holds every other setting.
 */
export interface NodeSocketConfig {
  /**
   * Address the UDP socket binds to: an IP literal binds that address and its family only
   * (`0.0.0.0`: IPv4 only; `::`: IPv6 only). null, the default: every address, IPv4 and IPv6
   * on one dual-stack socket, or IPv4 alone where the machine has no usable IPv6 (PROTOCOL §2.2).
   */
  bindHost: string | null;
  idleTimeoutMs: number;
  maxDatagram: number;
  /**
   * Wraps the bound UDP socket before the endpoint uses it. Unset in the app; the swarm lab
   * (bench/swarm) injects seeded packet loss and counts wire bytes here.
   */
  wrapSocket?: (socket: DatagramSocket) => DatagramSocket;
}

/** The DHT node's socket (PROTOCOL §15.4); who it joins through is a setting (dhtBootstrap). */
export interface DhtConfig {
  /** IPv4 address its UDP socket binds to (bittorrent-dht speaks IPv4 only, PROTOCOL §15.4). */
  bindHost: string;
  /** Its UDP port; 0 = any. */
  port: number;
  /** How long to wait for the first walk of the DHT before using the node (0: lookups start from the bootstrap nodes at once). */
  readyTimeoutMs: number;
}

export interface EngineConfig {
  dataDir: string;
  /** Base URL the player loads media from (`shoal-media://media`, or the UI server's `/media`). */
  mediaBaseUrl: string;
  /** Folder of the bundled sample stream for "Try a demo broadcast". */
  sampleFolder: string | null;
  /** Host written into stream addresses this node hands out; null = guess a LAN address. */
  advertiseHost: string | null;
  settings: Settings;
  store: StoreConfig;
  swarm: SwarmConfig;
  transport: NodeSocketConfig;
  dht: DhtConfig;
  /** Interval of snapshot pushes to UIs. */
  snapshotIntervalMs: number;
  /** A viewer that reached nobody for this long reports the stream as not found. */
  notFoundAfterMs: number;
}

export type EngineConfigInput = Partial<
  Omit<EngineConfig, 'settings' | 'store' | 'swarm' | 'transport' | 'dht'>
> & {
  dht?: Partial<DhtConfig>;
  dataDir: string;
  settings?: Partial<Settings>;
  store?: Partial<StoreConfig>;
  swarm?: Partial<SwarmConfig>;
  transport?: Partial<NodeSocketConfig>;
};

export const DEFAULT_STORE_CONFIG: StoreConfig = { maxSegments: 30, maxBytes: 256 * 1024 * 1024 };
export const DEFAULT_SWARM_CONFIG: SwarmConfig = {
  // One first copy of each piece: viewers pass pieces on (to 3 neighbours each), and a
  // second copy put the broadcaster over 2x the bit rate on the wire (issue 16's budget).
  pushFanout: 1,
  pushDelayShare: 0.35,
  maxInFlightPerPeer: 3,
  resyncAfterSegments: 4,
  pieces: true,
  punch: true,
  idleEvictMs: 10_000,
  rescueSlots: RESCUE_SLOTS,
};
export const DEFAULT_NODE_SOCKET_CONFIG: NodeSocketConfig = {
  bindHost: null,
  idleTimeoutMs: 15_000,
  maxDatagram: 1200,
};

export const DEFAULT_DHT_CONFIG: DhtConfig = { bindHost: '0.0.0.0', port: 0, readyTimeoutMs: 0 };

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function mergeEngineConfig(input: EngineConfigInput): EngineConfig {
  if (!input.dataDir) throw new ShoalError(ErrorCode.BAD_SETTINGS, 'engine: dataDir is required');
  const settings = mergeSettings(DEFAULT_SETTINGS, input.settings ?? {});
  const store = { ...DEFAULT_STORE_CONFIG, ...input.store };
  const swarm = { ...DEFAULT_SWARM_CONFIG, ...input.swarm };
  const transport = { ...DEFAULT_NODE_SOCKET_CONFIG, ...input.transport };
  store.maxSegments = clamp(Math.round(store.maxSegments), 3, 1000);
  store.maxBytes = clamp(store.maxBytes, 1024 * 1024, 4 * 1024 * 1024 * 1024);
  if (swarm.broadcasterMaxPeers !== undefined)
    swarm.broadcasterMaxPeers = clamp(Math.round(swarm.broadcasterMaxPeers), 1, 200);
  swarm.pushFanout = clamp(Math.round(swarm.pushFanout), 1, swarm.broadcasterMaxPeers ?? settings.maxPeers);
  swarm.pushDelayShare = clamp(swarm.pushDelayShare, 0, 1);
  swarm.maxInFlightPerPeer = clamp(Math.round(swarm.maxInFlightPerPeer), 1, 16);
  swarm.resyncAfterSegments = clamp(swarm.resyncAfterSegments, 1, 100);
  swarm.idleEvictMs = clamp(swarm.idleEvictMs, 1000, 600_000);
  swarm.rescueSlots = clamp(Math.round(swarm.rescueSlots), 0, 16);
  if (settings.joinDistanceSegments >= store.maxSegments) {
    throw new ShoalError(
      ErrorCode.BAD_SETTINGS,
      `join distance (${settings.joinDistanceSegments} segments) must be smaller than the live window (${store.maxSegments} segments)`,
    );
  }
  return {
    dataDir: input.dataDir,
    mediaBaseUrl: input.mediaBaseUrl ?? 'http://127.0.0.1/media',
    sampleFolder: input.sampleFolder ?? null,
    advertiseHost: input.advertiseHost ?? null,
    settings,
    store,
    swarm,
    transport,
    dht: { ...DEFAULT_DHT_CONFIG, ...input.dht },
    snapshotIntervalMs: clamp(input.snapshotIntervalMs ?? 1000, 100, 10_000),
    notFoundAfterMs: clamp(input.notFoundAfterMs ?? 10_000, 500, 120_000),
  };
}

/** Applies a settings patch, validating the result as a whole. */
export function mergeSettings(base: Settings, patch: Partial<Settings>): Settings {
  const result = SettingsSchema.safeParse({ ...base, ...patch });
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || 'settings';
    throw new ShoalError(
      ErrorCode.BAD_SETTINGS,
      `invalid setting ${where}: ${issue?.message ?? 'bad value'}`,
    );
  }
  return result.data;
}
