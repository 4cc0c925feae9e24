// The one typed contract between the engine and any UI host (Electron IPC, or the
// browser over a WebSocket). Methods return promises; events are subscriptions.
// Every payload crossing a process boundary is validated with these schemas.

import { z } from 'zod';

/** `host:port`, `[v6]:port`: a DHT bootstrap node. */
export const DHT_NODE_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):[0-9]{1,5}$/;
export const MAX_DHT_BOOTSTRAP_NODES = 16;
/** The public routers of the Mainline DHT. */
export const PUBLIC_DHT_BOOTSTRAP = [
  'router.bittorrent.com:6881',
  'router.utorrent.com:6881',
  'dht.transmissionbt.com:6881',
  'dht.libtorrent.org:25401',
];

export const SettingsSchema = z.object({
  /** Upload cap in kilobits per second; null = none set (see uploadCapAuto). */
  uploadCapKbps: z.number().int().min(64).max(10_000_000).nullable(),
  /** With no cap set, a viewer finds its line's upload capacity and stays under it (PROTOCOL §9.4). */
  uploadCapAuto: z.boolean(),
  /** "Don't upload": leech-only mode (the broadcaster ignores this). */
  noUpload: z.boolean(),
  maxPeers: z.number().int().min(1).max(200),
  /** UDP port; 0 = pick a free one. */
  udpPort: z.number().int().min(0).max(65535),
  /** How many segments behind the live edge a viewer joins (latency vs. robustness). */
  joinDistanceSegments: z.number().int().min(1).max(20),
  gatewayEnabled: z.boolean(),
  /** Local HTTP gateway port on 127.0.0.1; 0 = pick a free one. */
  gatewayPort: z.number().int().min(0).max(65535),
  /** Find streams and peers on the BitTorrent Mainline DHT (PROTOCOL §15). */
  dhtEnabled: z.boolean(),
  /** DHT nodes to join through, `host:port` each (the public routers by default). */
  dhtBootstrap: z
    .array(z.string().regex(DHT_NODE_PATTERN, 'expected host:port'))
    .max(MAX_DHT_BOOTSTRAP_NODES),
  /** Ask the router to forward our UDP port (UPnP IGD, PCP, NAT-PMP); README "Port mapping". */
  portMapping: z.boolean(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  uploadCapKbps: null,
  uploadCapAuto: true,
  noUpload: false,
  maxPeers: 24,
  udpPort: 0,
  joinDistanceSegments: 2,
  gatewayEnabled: true,
  gatewayPort: 0,
  dhtEnabled: true,
  dhtBootstrap: PUBLIC_DHT_BOOTSTRAP,
  portMapping: true,
};

export const ErrorInfoSchema = z.object({
  code: z.number().int(),
  codeName: z.string(),
  message: z.string(),
  fatal: z.boolean(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

export const PeerRoleSchema = z.enum(['broadcaster', 'viewer', 'seed']);
export type PeerRole = z.infer<typeof PeerRoleSchema>;

export const PeerPathSchema = z.enum(['direct', 'mapped', 'punched']);
export type PeerPath = z.infer<typeof PeerPathSchema>;

export const PeerStatSchema = z.object({
  nodeId: z.string(),
  address: z.string(),
  role: PeerRoleSchema,
  /** Who opened the connection. */
  direction: z.enum(['inbound', 'outbound']),
  rttMs: z.number().nullable(),
  lossRate: z.number(),
  upBps: z.number(),
  downBps: z.number(),
  bytesUp: z.number(),
  bytesDown: z.number(),
  /** Requests answered: whole segments or single pieces of them (the dashboard says "Pieces"). */
  segmentsSent: z.number().int(),
  segmentsReceived: z.number().int(),
  connectedMs: z.number(),
  health: z.enum(['good', 'fair', 'poor']),
  choked: z.boolean(),
  /**
   * How we reach the peer (PROTOCOL §5.18): `direct` (one of us dialled the other's
   * address), `mapped` (we dialled its router port mapping), `punched` (hole punching
   * through NAT opened the path, after an introduction).
   */
  path: PeerPathSchema,
});
export type PeerStat = z.infer<typeof PeerStatSchema>;

export const SegmentSourceSchema = z.enum(['broadcaster', 'peer', 'ingest']);
export const SegmentArrivalSchema = z.object({
  rendition: z.number().int(),
  seq: z.number().int(),
  bytes: z.number().int(),
  source: SegmentSourceSchema,
  /** nodeId of the peer it came from (the one that sent most of it), if any. */
  from: z.string().nullable(),
  /** Bytes of it that came from viewers rather than the broadcaster (a segment fetched in pieces has several sources). */
  peerBytes: z.number().int().optional(),
  fetchMs: z.number(),
  at: z.number(),
});
export type SegmentArrival = z.infer<typeof SegmentArrivalSchema>;

export const SessionStateSchema = z.enum([
  'idle',
  'connecting',
  'buffering',
  'playing',
  /** Viewer: the broadcaster left or went silent; waiting for it to come back (by itself). */
  'broadcaster-offline',
  'ended',
  'not-found',
  /** Viewer: the nodes that answered are full (REJECT FULL); it keeps trying them and the peers they listed. */
  'full',
  'error',
]);
export type SessionState = z.infer<typeof SessionStateSchema>;

/**
 * How others reach this node (README "Port mapping"): `mapped` = the router forwards our UDP
 * port (via UPnP IGD, PCP or NAT-PMP) at `external`; `public` = our own address is public;
 * `unmapped` = behind NAT and no router mapping (`detail` says why); `checking` = asking the
 * router; `off` = port mapping turned off in Settings (or the node listens on loopback only).
 */
export const ReachabilitySchema = z.object({
  kind: z.enum(['off', 'checking', 'mapped', 'public', 'unmapped']),
  via: z.enum(['upnp', 'pcp', 'natpmp']).nullable(),
  /** host:port others can send to, when known. */
  external: z.string().nullable(),
  detail: z.string().nullable(),
  /**
   * What our NAT does, as peers' observed addresses show it (PROTOCOL §5.18 "NAT class"):
   * 'cone' keeps one public port for every peer (hole punching works with every peer),
   * 'symmetric' takes a new one per peer (punching works only with cone or public peers).
   */
  nat: z.enum(['unknown', 'public', 'cone', 'symmetric']).optional(),
});
export type Reachability = z.infer<typeof ReachabilitySchema>;

/**
 * The upload cap in force (PROTOCOL §9.4): 'set' in Settings, 'auto' found by a viewer
 * (bytesPerSec null until it has found its line full once), or 'none'.
 */
export const UploadCapSchema = z.object({
  mode: z.enum(['set', 'auto', 'none']),
  bytesPerSec: z.number().nullable(),
});
export type UploadCap = z.infer<typeof UploadCapSchema>;

export const OfflineCauseSchema = z.enum(['stopped', 'silent', 'encoder']);
export type OfflineCause = z.infer<typeof OfflineCauseSchema>;

export const StatsSnapshotSchema = z.object({
  at: z.number(),
  mode: z.enum(['idle', 'broadcasting', 'watching']),
  state: SessionStateSchema,
  streamId: z.string().nullable(),
  address: z.string().nullable(),
  /** URL the player loads the master playlist from (host-specific scheme). */
  playlistUrl: z.string().nullable(),
  /** URL of the local HTTP gateway for external players (VLC/mpv), if enabled. */
  gatewayUrl: z.string().nullable(),
  peers: z.array(PeerStatSchema),
  totals: z.object({
    fromBroadcaster: z.number(),
    fromPeers: z.number(),
    uploaded: z.number(),
    toGateway: z.number(),
  }),
  rates: z.object({
    upBps: z.number(),
    fromBroadcasterBps: z.number(),
    fromPeersBps: z.number(),
    toGatewayBps: z.number(),
  }),
  /** The engine's own figures (where the engine is); a player's own are in the UI (issue 17). */
  bufferSec: z.number(),
  behindLiveSec: z.number().nullable(),
  /**
   * Viewer: the player on the HTTP gateway, from what it fetched (src-main/engine/gateway-position.ts):
   * the newest segment, how far behind live it is at least, and what the engine holds after it.
   * Null or absent: no player fetched anything from the gateway in the last 10 s.
   */
  gatewayPlayer: z
    .object({ seq: z.number().int(), behindLiveSec: z.number().nullable(), heldAheadSec: z.number() })
    .nullable()
    .optional(),
  /**
   * Viewer in 'broadcaster-offline': 'stopped' when the broadcaster said so (its GOODBYE, or
   * its offline notice relayed by peers), 'encoder' when nothing new came for a while but the
   * broadcaster still answers (its encoder stalled), 'silent' when nothing new came and the
   * broadcaster does not answer or we are not linked to it (it crashed, lost its network, or
   * its encoder stopped). Absent otherwise.
   */
  offlineCause: OfflineCauseSchema.optional(),
  /**
   * Viewer: how it reaches the stream, when that is worth saying (issue 16: no viewer is left
   * without a path), e.g. "No reachable peer — served by the broadcaster". Absent or null: peers work.
   */
  path: z.string().nullable().optional(),
  segments: z.object({
    ingested: z.number().int(),
    received: z.number().int(),
    failed: z.number().int(),
    held: z.number().int(),
  }),
  recent: z.array(SegmentArrivalSchema),
  /** `shoal://<id>`, once the stream's record is on the DHT (broadcaster) or was found there (viewer). */
  shortAddress: z.string().nullable().optional(),
  /** How discovery on the DHT goes (PROTOCOL §15); absent = not running. */
  dht: z
    .object({
      state: z.enum(['off', 'starting', 'no-nodes', 'ready']),
      /** DHT nodes in the routing table. */
      nodes: z.number().int(),
      /** The stream's record: published/found, or still trying (with why). */
      record: z.enum(['none', 'publishing', 'published', 'resolving', 'found']),
      message: z.string().nullable(),
      /** Viewers found through get_peers. */
      peersFound: z.number().int(),
    })
    .optional(),
  broadcast: z
    .object({
      folder: z.string(),
      renditions: z.number().int(),
      /** Direct neighbours (viewers linked to the broadcaster). */
      viewers: z.number().int(),
      /**
       * Estimate of the whole audience: the direct viewers and the viewers they named in peer
       * exchange in the last 45 s (PROTOCOL §5.14). A lower bound: viewers further away are
       * not seen. Absent from engines that do not estimate it.
       */
      audience: z.number().int().optional(),
      stalled: z.boolean(),
    })
    .nullable(),
  /** Our own reachability while a session runs; null when idle. */
  reachability: ReachabilitySchema.nullable(),
  /** The upload cap while a session runs; null when idle; absent from engines that do not say. */
  uploadCap: UploadCapSchema.nullable().optional(),
  lastError: ErrorInfoSchema.nullable(),
});
export type StatsSnapshot = z.infer<typeof StatsSnapshotSchema>;

export const EngineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('peer-joined'), nodeId: z.string(), address: z.string(), role: PeerRoleSchema }),
  z.object({ type: z.literal('peer-left'), nodeId: z.string(), reason: z.string() }),
  z.object({ type: z.literal('segment'), arrival: SegmentArrivalSchema }),
  z.object({ type: z.literal('segment-failed'), seq: z.number().int(), reason: z.string() }),
  z.object({ type: z.literal('state'), state: SessionStateSchema }),
  z.object({ type: z.literal('error'), error: ErrorInfoSchema }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;

export const StartBroadcastSchema = z.union([
  z.object({ folder: z.string().min(1).max(4096) }),
  z.object({ demo: z.literal(true) }),
]);
export type StartBroadcast = z.infer<typeof StartBroadcastSchema>;

export const WatchRequestSchema = z.object({ address: z.string().min(1).max(4096) });

export const SessionInfoSchema = z.object({
  streamId: z.string(),
  address: z.string(),
  playlistUrl: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** What a UI may ask of the engine. Implemented over Electron IPC and over a WebSocket. */
export interface ShoalApi {
  /** Which host the UI runs in; some features (native folder picker, tray) are Electron-only. */
  readonly host: 'electron' | 'browser';
  getSnapshot(): Promise<StatsSnapshot>;
  startBroadcast(request: StartBroadcast): Promise<SessionInfo>;
  stopBroadcast(): Promise<void>;
  watch(address: string): Promise<SessionInfo>;
  stopWatching(): Promise<void>;
  getSettings(): Promise<Settings>;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  /** Native folder picker in Electron; null when cancelled or unsupported by the host. */
  pickFolder(): Promise<string | null>;
  /** Open the gateway URL in the system's external player (Electron) — browser host returns false. */
  openExternalPlayer(): Promise<boolean>;
  onSnapshot(listener: (snapshot: StatsSnapshot) => void): () => void;
  /** A `shoal://` link the host was asked to open (OS link handler, second instance, drop). */
  onOpenLink(listener: (address: string) => void): () => void;
}

/** Names of the request methods, for the IPC/WebSocket bridges' allow-lists. */
export const API_METHODS = [
  'getSnapshot',
  'startBroadcast',
  'stopBroadcast',
  'watch',
  'stopWatching',
  'getSettings',
  'updateSettings',
  'pickFolder',
  'openExternalPlayer',
] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** Argument schema per method (each takes zero or one argument). */
export const API_ARGUMENTS: Record<ApiMethod, z.ZodType | null> = {
  getSnapshot: null,
  startBroadcast: StartBroadcastSchema,
  stopBroadcast: null,
  watch: WatchRequestSchema.shape.address,
  stopWatching: null,
  getSettings: null,
  updateSettings: SettingsPatchSchema,
  pickFolder: null,
  openExternalPlayer: null,
};
