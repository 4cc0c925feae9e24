// Every numeric identifier of the wire protocol, in one place (PROTOCOL §3–§6, §11).

/** PROTOCOL §3.1 — first byte of every datagram. */
export const MAGIC = 0x53; // 'S'
/** PROTOCOL §4.7, §12 — the only version this implementation speaks. */
export const PROTOCOL_VERSION = 1;
export const MIN_SUPPORTED_VERSION = 1;
export const MAX_SUPPORTED_VERSION = 1;

/** PROTOCOL §3.1 — fixed header length in bytes (without the optional ACK block). */
export const HEADER_LENGTH = 24;
/** PROTOCOL §3.3 — most ACK ranges (after the first) one header may carry. */
export const MAX_ACK_RANGES = 32;

/** PROTOCOL §3.2 — packet types. */
export const PacketType = {
  HELLO: 0x01,
  RETRY: 0x02,
  WELCOME: 0x03,
  REJECT: 0x04,
  DATA: 0x05,
  /** PROTOCOL §4.9 — a hole-punching probe: opens our NAT toward a peer, never answered. */
  PUNCH: 0x06,
} as const;
export type PacketTypeName = keyof typeof PacketType;

/** PROTOCOL §3.1 — header flag bits. Unknown bits are ignored on receipt. */
export const HeaderFlag = {
  ACK: 0x01,
} as const;

/** PROTOCOL §5 — message (frame) types carried in DATA packets. */
export const FrameType = {
  PING: 0x01,
  PONG: 0x02,
  GOODBYE: 0x03,
  ERROR: 0x04,
  PLAYLIST_REQUEST: 0x10,
  STREAM_INFO: 0x11,
  PLAYLIST: 0x12,
  SEGMENT_REQUEST: 0x13,
  SEGMENT_DATA: 0x14,
  SEGMENT_NOT_AVAILABLE: 0x15,
  CANCEL: 0x16,
  PRIORITY: 0x17,
  HAVE: 0x18,
  AVAILABILITY: 0x19,
  CHOKE: 0x1a,
  UNCHOKE: 0x1b,
  PIECE_MAP: 0x1c,
  PIECE_HAVE: 0x1d,
  OFFLINE: 0x1e,
  PATH_STATE: 0x1f,
  PEX_REQUEST: 0x20,
  PEX_RESPONSE: 0x21,
  ADDRESSES: 0x22,
  PUNCH_REQUEST: 0x23,
  PUNCH_CONNECT: 0x24,
  PUNCH_FAILED: 0x25,
} as const;
export type FrameTypeName = keyof typeof FrameType;

/** PROTOCOL §5.1 — frame header: type u8 + body length u16. */
export const FRAME_HEADER_LENGTH = 3;

/** PROTOCOL §4.1 — HELLO datagrams shorter than this are dropped (anti-amplification). */
export const MIN_HELLO_DATAGRAM = 1200;
/** PROTOCOL §3.6 — default and minimum UDP payload size (maxDatagram range). */
export const DEFAULT_MAX_DATAGRAM = 1200;
export const MIN_MAX_DATAGRAM = 1200;
export const MAX_MAX_DATAGRAM = 65000;

/** PROTOCOL §6.1 — segment entry flags. */
export const EntryFlag = {
  INIT: 0x01,
  DISCONTINUITY: 0x02,
  GAP: 0x04,
} as const;

/** PROTOCOL §6.2 — stream info flags. */
export const StreamInfoFlag = {
  ENDED: 0x01,
  LIVE: 0x02,
} as const;

/** PROTOCOL §4.7 — capability bits in HELLO/WELCOME. Unknown bits are ignored. */
export const Capability = {
  RELAY: 0x00000001,
  FMP4: 0x00000002,
  PEX: 0x00000004,
  /** The node is the stream's broadcaster (holds the signing key). */
  BROADCASTER: 0x00000008,
  /** Serves byte ranges of segments and speaks PIECE_MAP / PIECE_HAVE (PROTOCOL §7.3). */
  PIECES: 0x00000010,
  /** Speaks ADDRESSES, PUNCH_REQUEST, PUNCH_CONNECT, PUNCH_FAILED and PUNCH probes (PROTOCOL §5.18). */
  PUNCH: 0x00000020,
  /**
   * The node's socket sends to and receives from IPv6 addresses as well as IPv4 (dual stack,
   * PROTOCOL §2.2): it may be given IPv6 peers in PEX_RESPONSE and REJECT (§5.14).
   */
  IPV6: 0x00000040,
  /**
   * In a HELLO only: the client has no working path to the stream but through this server
   * and asks for a rescue slot (PROTOCOL §4.7, §13.5). Not a feature: never in WELCOME.
   */
  NO_PATH: 0x00000100,
} as const;

/** PROTOCOL §5.17 — PATH_STATE states. Unknown values are ignored. */
export const PathState = {
  /** The sender gets the stream from other peers too (and may relay it). */
  HAS_PATH: 0,
  /** The sender has no working peer: the receiver (the broadcaster) is its only path. */
  NO_PATH: 1,
} as const;

/** PROTOCOL §5.9 — SEGMENT_NOT_AVAILABLE reasons. */
export const NotAvailableReason = {
  UNKNOWN: 0,
  NOT_YET: 1,
  EVICTED: 2,
  CHOKED: 3,
  OVERLOADED: 4,
} as const;

/** PROTOCOL §5.14 — PEX entry flags. */
export const PexFlag = {
  BROADCASTER: 0x01,
  SEED: 0x02,
  HAS_CAPACITY: 0x04,
  /** The node is reachable at this address without help (PROTOCOL §5.18). */
  DIRECT: 0x08,
  /** The sender introduces the receiver to this node on PUNCH_REQUEST (PROTOCOL §5.18). */
  INTRODUCER: 0x10,
  /** The node said it is behind a symmetric NAT (PROTOCOL §5.18). */
  SYMMETRIC: 0x20,
} as const;

/** PROTOCOL §5.18 — what a node knows of its NAT (ADDRESSES, PUNCH_CONNECT). */
export const NatClass = {
  UNKNOWN: 0,
  /** Observed address = a local address: no NAT. */
  PUBLIC: 1,
  /** Peers see the same public address and port: endpoint-independent mapping. */
  CONE: 2,
  /** Peers see different ports: a new mapping per destination. */
  SYMMETRIC: 3,
} as const;

/** PROTOCOL §5.18 — what a hole-punching candidate address is. */
export const CandidateKind = {
  /** The address the introducer sees the node at (PUNCH_CONNECT only). */
  OBSERVED: 0,
  /** An address of the node's own network interface. */
  LAN: 1,
  /** A port mapping the node holds on its router (UPnP IGD, NAT-PMP/PCP). */
  MAPPED: 2,
} as const;

/**
 * PROTOCOL §5.18 — what the introducer tells each node to do in PUNCH_CONNECT. It decides
 * for both from the two NAT classes it knows, so the two nodes cannot disagree.
 */
export const PunchRole = {
  /** Dial (HELLO) every candidate of the other node. */
  CLIENT: 0,
  /** Send PUNCH probes to every candidate of the other node. */
  PROBER: 1,
  /** Behind a symmetric NAT: extra sockets probe the other node, dial from the one it reaches. */
  BIRTHDAY_CLIENT: 2,
  /** The other node is behind a symmetric NAT: probe random ports of its OBSERVED IP too. */
  BIRTHDAY_PROBER: 3,
} as const;

/** PROTOCOL §5.18 — PUNCH_FAILED reasons. */
export const PunchFailure = {
  UNKNOWN: 0,
  /** The introducer holds no confirmed session with that node, or it does not speak PUNCH. */
  NOT_CONNECTED: 1,
  /** Both nodes are behind symmetric NATs: no punching can work. */
  BOTH_SYMMETRIC: 2,
  /** The introducer's introduction budget is spent for now. */
  BUSY: 3,
} as const;

/** PROTOCOL §5.18 — most candidates an ADDRESSES or PUNCH_CONNECT carries. */
export const MAX_PUNCH_CANDIDATES = 4;
/** PROTOCOL §4.9 — length of a PUNCH token. */
export const PUNCH_TOKEN_LENGTH = 8;

/** PROTOCOL §6 — ed25519 sizes. */
export const STREAM_ID_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const SHA256_LENGTH = 32;
export const CONNECTION_ID_LENGTH = 8;
export const NODE_ID_LENGTH = 8;
/** PROTOCOL §6.1 — fixed length of a signed segment entry. */
export const SEGMENT_ENTRY_LENGTH = 122;
/** PROTOCOL §5.6 — most entries one PLAYLIST frame carries. */
export const MAX_PLAYLIST_ENTRIES_PER_FRAME = 8;

/** PROTOCOL §5.8 — largest segment a node accepts (the claimed total size in SEGMENT_DATA). */
export const MAX_SEGMENT_SIZE = 32 * 1024 * 1024;

/** PROTOCOL §6 — signing contexts (ASCII, prepended to the signed bytes). */
export const ENTRY_SIGNING_CONTEXT = 'shoal/v1/segment-entry';
export const INFO_SIGNING_CONTEXT = 'shoal/v1/stream-info';
export const PIECE_MAP_SIGNING_CONTEXT = 'shoal/v1/piece-map';
export const OFFLINE_SIGNING_CONTEXT = 'shoal/v1/offline';

/** PROTOCOL §6.4 — a piece map has 1..MAX_PIECES pieces of at least MIN_PIECE_SIZE bytes. */
export const MAX_PIECES = 24;
export const MIN_PIECE_SIZE = 1024;

/** PROTOCOL §4.1, §4.2 — longest cookie a HELLO or RETRY carries. */
export const MAX_COOKIE_LENGTH = 64;
/** PROTOCOL §1.3, §5.3 — longest UTF-8 message a sender puts in GOODBYE, ERROR or REJECT. */
export const MAX_MESSAGE_LENGTH = 200;
/** PROTOCOL §6.2 — largest encoded StreamInfo record; keeps STREAM_INFO inside a 1200-byte datagram. */
export const MAX_STREAM_INFO_LENGTH = 1024;
/** PROTOCOL §5.1 — frame type 0x00: the rest of the DATA packet is padding. */
export const PADDING_FRAME_TYPE = 0x00;
