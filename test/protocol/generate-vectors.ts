// Writes the test vectors of PROTOCOL §14 into docs/PROTOCOL.md (between the
// `<!-- vectors:begin -->` and `<!-- vectors:end -->` markers).
//
//   npx tsx test/protocol/generate-vectors.ts && npx prettier --write docs/PROTOCOL.md
//
// The bytes are built here field by field from the layout tables of the spec, with an
// annotation per field, and deliberately NOT with the codec in src-main/protocol: the
// vector tests then compare two independent encodings (this one, frozen in the doc, and
// the codec's). Signatures come straight from node:crypto over the bytes built here.
// Only regenerate after a deliberate change of the wire format.

import { createHash, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
// RFC 8032 §7.1 TEST 1: anyone can check the key derivation against the RFC.
import { PRIVATE_KEY, SEED, STREAM_ID } from './rfc8032-key.js';

const DOC = new URL('../../docs/PROTOCOL.md', import.meta.url);

// ---- annotated byte builder ----

type Line = { hex: string; note: string };

class Bytes {
  readonly lines: Line[] = [];
  private chunks: Buffer[] = [];

  private push(b: Buffer, note: string): this {
    this.chunks.push(b);
    for (let i = 0; i < Math.max(1, b.length); i += 16) {
      const part = b.subarray(i, i + 16);
      this.lines.push({
        hex: [...part].map((x) => x.toString(16).padStart(2, '0')).join(' '),
        note: i === 0 ? note : '',
      });
    }
    return this;
  }
  u8 = (v: number, note: string) => this.push(Buffer.from([v]), note);
  u16 = (v: number, note: string) => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return this.push(b, note);
  };
  u32 = (v: number, note: string) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return this.push(b, note);
  };
  u64 = (v: number, note: string) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(v));
    return this.push(b, note);
  };
  raw = (hex: string, note: string) => this.push(Buffer.from(hex, 'hex'), hex ? note : `${note} (empty)`);
  /** u8 length + UTF-8 bytes. */
  text = (s: string, note: string) => {
    const b = Buffer.from(s, 'utf8');
    this.u8(b.length, `${note} length = ${b.length}`);
    return b.length ? this.push(b, `${note} = "${s}"`) : this;
  };
  /** Appends another builder's lines, indented. */
  nest(other: Bytes, indent = '  '): this {
    this.chunks.push(other.bytes());
    for (const l of other.lines) this.lines.push({ hex: indent + l.hex, note: l.note });
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get length(): number {
    return this.bytes().length;
  }
}

const b = () => new Bytes();

// ---- fixed material ----

const CLIENT_CID = 'a1a2a3a4a5a6a7a8';
const SERVER_CID = 'b1b2b3b4b5b6b7b8';
const CLIENT_NODE = '0102030405060708';
const SERVER_NODE = '1112131415161718';
const COOKIE = '69a1b2c0' + '5f3c8e21d4a7b69e0c13f2586a9d7e44';
const ZERO_CID = '0000000000000000';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const sig = (signed: Buffer) => sign(null, signed, PRIVATE_KEY).toString('hex');

// ---- field builders written from the layout tables ----

interface HeaderJson {
  type: string;
  dcid: string;
  pn: number;
  timestamp: number;
  timestampDiff: number;
  ack?: { delayUs: number; ranges: [number, number][] };
}
const PACKET_IDS: Record<string, number> = { HELLO: 1, RETRY: 2, WELCOME: 3, REJECT: 4, DATA: 5, PUNCH: 6 };

function header(h: HeaderJson): Bytes {
  const o = b()
    .u8(0x53, 'magic "S"')
    .u8(1, 'version 1')
    .u8(PACKET_IDS[h.type]!, `packetType ${h.type}`)
    .u8(h.ack ? 1 : 0, h.ack ? 'flags: ACK' : 'flags: none')
    .raw(h.dcid, 'dcid')
    .u32(h.pn, `pn = ${h.pn}`)
    .u32(h.timestamp, `timestamp = ${h.timestamp} µs`)
    .u32(h.timestampDiff, `timestampDiff = ${h.timestampDiff} µs`);
  if (h.ack) {
    const r = h.ack.ranges;
    o.u32(r[0]![1], `largestAcked = ${r[0]![1]}`)
      .u16(h.ack.delayUs / 8, `ackDelay = ${h.ack.delayUs / 8} × 8 µs = ${h.ack.delayUs} µs`)
      .u16(r[0]![1] - r[0]![0], `firstRangeLength = ${r[0]![1] - r[0]![0]} → [${r[0]![0]}, ${r[0]![1]}]`)
      .u8(r.length - 1, `rangeCount = ${r.length - 1}`);
    for (let i = 1; i < r.length; i++) {
      const gap = r[i - 1]![0] - r[i]![1] - 2;
      o.u16(gap, `gap = ${gap}`).u16(
        r[i]![1] - r[i]![0],
        `length = ${r[i]![1] - r[i]![0]} → [${r[i]![0]}, ${r[i]![1]}]`,
      );
    }
  }
  return o;
}

function address(o: Bytes, host: string, port: number, what: string): Bytes {
  if (host.includes(':')) {
    const bytes = ipv6(host);
    o.u8(6, `${what} family 6`).raw(bytes, `${what} ${host}`);
  } else {
    o.u8(4, `${what} family 4`).raw(
      Buffer.from(host.split('.').map(Number)).toString('hex'),
      `${what} ${host}`,
    );
  }
  return o.u16(port, `${what} port ${port}`);
}

// Only the forms used below (one "::" and no embedded IPv4).
function ipv6(host: string): string {
  const [head, tail] = host.split('::') as [string, string];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  return words.map((w) => w.padStart(4, '0')).join('');
}

interface PeerJson {
  host: string;
  port: number;
  nodeId: string;
  flags: number;
}
function pexPeer(o: Bytes, p: PeerJson, i: number): Bytes {
  address(o, p.host, p.port, `peer[${i}]`);
  return o
    .raw(p.nodeId, `peer[${i}] nodeId`)
    .u8(p.flags, `peer[${i}] flags = 0x${p.flags.toString(16).padStart(2, '0')}`);
}

interface EntryJson {
  rendition: number;
  flags: number;
  seq: number;
  initSeq: number | null;
  durationUs: number;
  size: number;
  programDateTimeMs: number;
  sha256: string;
  signature?: string;
}
function entryUnsigned(e: EntryJson): Bytes {
  return b()
    .u8(e.rendition, `rendition = ${e.rendition}`)
    .u8(e.flags, `flags = 0x${e.flags.toString(16).padStart(2, '0')}`)
    .u32(e.seq, `seq = ${e.seq}`)
    .u32(e.initSeq ?? 0xffffffff, e.initSeq === null ? 'initSeq = none' : `initSeq = ${e.initSeq}`)
    .u32(e.durationUs, `durationUs = ${e.durationUs}`)
    .u32(e.size, `size = ${e.size}`)
    .u64(e.programDateTimeMs, `programDateTimeMs = ${e.programDateTimeMs}`)
    .raw(e.sha256, 'sha256');
}
function entrySigned(e: EntryJson): { json: EntryJson; bytes: Bytes; signed: Bytes } {
  const unsigned = entryUnsigned(e);
  const signed = b()
    .raw(Buffer.from('shoal/v1/segment-entry').toString('hex'), 'context "shoal/v1/segment-entry"')
    .raw(STREAM_ID, 'streamId')
    .nest(unsigned, '');
  const signature = sig(signed.bytes());
  return { json: { ...e, signature }, bytes: b().nest(unsigned, '').raw(signature, 'signature'), signed };
}

interface RenditionJson {
  id: number;
  bandwidth: number;
  width: number;
  height: number;
  name: string;
  codecs: string;
}
interface InfoJson {
  flags: number;
  createdAtMs: number;
  targetDurationMs: number;
  renditions: RenditionJson[];
  signature?: string;
}
function infoSigned(info: InfoJson): { json: InfoJson; bytes: Bytes; signed: Bytes } {
  const u = b()
    .u8(info.flags, `flags = 0x${info.flags.toString(16).padStart(2, '0')}`)
    .u64(info.createdAtMs, `createdAtMs = ${info.createdAtMs}`)
    .u32(info.targetDurationMs, `targetDurationMs = ${info.targetDurationMs}`)
    .u8(info.renditions.length, `renditionCount = ${info.renditions.length}`);
  for (const r of info.renditions) {
    u.u8(r.id, `rendition id = ${r.id}`)
      .u32(r.bandwidth, `  bandwidth = ${r.bandwidth}`)
      .u16(r.width, `  width = ${r.width}`)
      .u16(r.height, `  height = ${r.height}`)
      .text(r.name, '  name')
      .text(r.codecs, '  codecs');
  }
  const signed = b()
    .raw(Buffer.from('shoal/v1/stream-info').toString('hex'), 'context "shoal/v1/stream-info"')
    .raw(STREAM_ID, 'streamId')
    .nest(u, '');
  const signature = sig(signed.bytes());
  return { json: { ...info, signature }, bytes: b().nest(u, '').raw(signature, 'signature'), signed };
}

interface PieceMapJson {
  entry: EntryJson;
  pieceSize: number;
  hashes: string[];
  signature?: string;
}
/** §6.4: the entry, pieceSize u32, count u8, one SHA-256 per piece, signature. */
function pieceMapSigned(
  entry: { json: EntryJson; bytes: Bytes },
  pieceSize: number,
  data: Buffer,
): { json: PieceMapJson; bytes: Bytes; signed: Bytes } {
  const count = Math.ceil(data.length / pieceSize);
  const hashes: string[] = [];
  const tail = b().u32(pieceSize, `pieceSize = ${pieceSize}`).u8(count, `count = ${count}`);
  for (let i = 0; i < count; i++) {
    const [from, to] = [i * pieceSize, Math.min((i + 1) * pieceSize, data.length)];
    hashes.push(createHash('sha256').update(data.subarray(from, to)).digest('hex'));
    tail.raw(hashes[i]!, `hashes[${i}] = SHA-256 of bytes [${from}, ${to})`);
  }
  const signed = b()
    .raw(Buffer.from('shoal/v1/piece-map').toString('hex'), 'context "shoal/v1/piece-map"')
    .raw(STREAM_ID, 'streamId')
    .nest(entryUnsigned(entry.json), '')
    .nest(tail, '');
  const signature = sig(signed.bytes());
  return {
    json: { entry: entry.json, pieceSize, hashes, signature },
    bytes: b().nest(entry.bytes, '  ').nest(tail, '').raw(signature, 'signature'),
    signed,
  };
}

const FRAME_IDS: Record<string, number> = {
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
};

function frame(type: string, body: Bytes): Bytes {
  return b().u8(FRAME_IDS[type]!, `type ${type}`).u16(body.length, `length = ${body.length}`).nest(body);
}

// ---- the vectors ----

const INIT_ENTRY = entrySigned({
  rendition: 0,
  flags: 1,
  seq: 0,
  initSeq: null,
  durationUs: 0,
  size: 4,
  programDateTimeMs: 0,
  sha256: sha256('init'),
});
const MEDIA_ENTRY = entrySigned({
  rendition: 0,
  flags: 0,
  seq: 1,
  initSeq: 0,
  durationUs: 4_000_000,
  size: 9,
  programDateTimeMs: 1_767_225_600_000,
  sha256: sha256('segment 1'),
});
/** §14.5 frame/piece-map: a 2500-byte segment whose byte i is i mod 251, in pieces of 1024 bytes. */
const PIECE_DATA = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
const PIECE_ENTRY = entrySigned({
  rendition: 0,
  flags: 0,
  seq: 2,
  initSeq: 0,
  durationUs: 4_000_000,
  size: PIECE_DATA.length,
  programDateTimeMs: 1_767_225_604_000,
  sha256: createHash('sha256').update(PIECE_DATA).digest('hex'),
});
const PIECE_MAP = pieceMapSigned(PIECE_ENTRY, 1024, PIECE_DATA);
const INFO = infoSigned({
  flags: 2,
  createdAtMs: 1_767_225_600_000,
  targetDurationMs: 4000,
  renditions: [
    { id: 0, bandwidth: 2_500_000, width: 1280, height: 720, name: '720p', codecs: 'avc1.64001f,mp4a.40.2' },
    { id: 1, bandwidth: 800_000, width: 640, height: 360, name: '360p', codecs: 'avc1.42e01e,mp4a.40.2' },
  ],
});
/** §6.5: nextSeq u32, stoppedAtMs u64, signature. */
function offlineSigned(n: { nextSeq: number; stoppedAtMs: number }) {
  const fields = b()
    .u32(n.nextSeq, `nextSeq = ${n.nextSeq}`)
    .u64(n.stoppedAtMs, `stoppedAtMs = ${n.stoppedAtMs}`);
  const signed = b()
    .raw(Buffer.from('shoal/v1/offline').toString('hex'), 'context "shoal/v1/offline"')
    .raw(STREAM_ID, 'streamId')
    .nest(fields, '');
  const signature = sig(signed.bytes());
  return { json: { ...n, signature }, bytes: b().nest(fields, '').raw(signature, 'signature'), signed };
}
const OFFLINE = offlineSigned({ nextSeq: 2, stoppedAtMs: 1_767_225_612_000 });
const PEERS: PeerJson[] = [
  { host: '198.51.100.20', port: 7070, nodeId: '2122232425262728', flags: 6 },
  { host: '2001:db8::20', port: 7071, nodeId: '3132333435363738', flags: 1 },
];

interface CandidateJson {
  kind: number;
  host: string;
  port: number;
}
const CANDIDATE_KINDS = ['OBSERVED', 'LAN', 'MAPPED'];
function candidates(o: Bytes, list: CandidateJson[]): Bytes {
  o.u8(list.length, `count = ${list.length}`);
  list.forEach((c, i) => {
    o.u8(c.kind, `candidate[${i}] kind = ${CANDIDATE_KINDS[c.kind]}`);
    address(o, c.host, c.port, `candidate[${i}]`);
  });
  return o;
}
const PUNCH_TOKEN = 'a1a2a3a4a5a6a7a8';
const OWN_CANDIDATES: CandidateJson[] = [
  { kind: 1, host: '192.168.1.20', port: 7000 },
  { kind: 2, host: '203.0.113.9', port: 7000 },
];
const CONNECT_CANDIDATES: CandidateJson[] = [
  { kind: 0, host: '198.51.100.30', port: 41000 },
  { kind: 1, host: '10.0.0.5', port: 7000 },
];
const punchPacket = {
  header: { type: 'PUNCH', dcid: ZERO_CID, pn: 3, timestamp: 5000, timestampDiff: 0 },
  body: { token: PUNCH_TOKEN, nodeId: CLIENT_NODE },
};

interface Vector {
  name: string;
  json: unknown;
  bytes: Bytes;
  /** A sentence printed before the blocks. */
  prose?: string;
  /** Appended to the hex block after the bytes (HELLO padding). */
  padTo?: number;
  decodeOnly?: boolean;
}
interface Group {
  title: string;
  intro: string;
  vectors: Vector[];
}

function frameVector(
  name: string,
  json: { type: string } & Record<string, unknown>,
  body: Bytes,
  prose?: string,
): Vector {
  return { name: `frame/${name}`, json, bytes: frame(json.type, body), ...(prose ? { prose } : {}) };
}

const H_DATA: HeaderJson = {
  type: 'DATA',
  dcid: SERVER_CID,
  pn: 42,
  timestamp: 305419896,
  timestampDiff: 1500,
};
const H_ACK1: HeaderJson = {
  type: 'DATA',
  dcid: CLIENT_CID,
  pn: 7,
  timestamp: 4000000000,
  timestampDiff: 0,
  ack: { delayUs: 200, ranges: [[37, 42]] },
};
const H_ACKN: HeaderJson = {
  type: 'DATA',
  dcid: CLIENT_CID,
  pn: 8,
  timestamp: 4000001000,
  timestampDiff: 25000,
  ack: {
    delayUs: 524280,
    ranges: [
      [95, 100],
      [90, 92],
      [80, 80],
      [0, 10],
    ],
  },
};

function helloBody(cookie: string, capabilities = 7): Bytes {
  const names = capabilities === 7 ? 'RELAY | FMP4 | PEX' : 'RELAY | FMP4 | PEX | PIECES | NO_PATH';
  return b()
    .u8(1, 'minVersion = 1')
    .u8(1, 'maxVersion = 1')
    .u32(capabilities, `capabilities = ${names}`)
    .raw(STREAM_ID, 'streamId')
    .raw(CLIENT_CID, 'sourceCid')
    .raw(CLIENT_NODE, 'nodeId')
    .u16(1200, 'maxDatagram = 1200')
    .u8(cookie.length / 2, `cookieLength = ${cookie.length / 2}`)
    .raw(cookie, 'cookie');
}
const helloJson = (pn: number, timestamp: number, cookie: string, capabilities = 7) => ({
  header: { type: 'HELLO', dcid: ZERO_CID, pn, timestamp, timestampDiff: 0 },
  body: {
    minVersion: 1,
    maxVersion: 1,
    capabilities,
    streamId: STREAM_ID,
    sourceCid: CLIENT_CID,
    nodeId: CLIENT_NODE,
    maxDatagram: 1200,
    cookie,
  },
});

const welcome = {
  header: {
    type: 'WELCOME',
    dcid: CLIENT_CID,
    pn: 0,
    timestamp: 2000,
    timestampDiff: 0,
  },
  body: {
    version: 1,
    capabilities: 5,
    sourceCid: SERVER_CID,
    nodeId: SERVER_NODE,
    maxDatagram: 1400,
    idleTimeoutMs: 15000,
    observed: { host: '203.0.113.7', port: 40000 },
  },
};
const welcomeBody = (w: typeof welcome.body) =>
  address(
    b()
      .u8(w.version, 'version = 1')
      .u32(w.capabilities, 'capabilities = RELAY | PEX')
      .raw(w.sourceCid, 'sourceCid (server)')
      .raw(w.nodeId, 'nodeId')
      .u16(w.maxDatagram, `maxDatagram = ${w.maxDatagram}`)
      .u32(w.idleTimeoutMs, `idleTimeoutMs = ${w.idleTimeoutMs}`),
    w.observed.host,
    w.observed.port,
    'observed',
  );
const welcome6 = {
  header: { type: 'WELCOME', dcid: CLIENT_CID, pn: 0, timestamp: 2000, timestampDiff: 0 },
  body: { ...welcome.body, observed: { host: '2001:db8::7', port: 40000 } },
};

const reject = {
  header: { type: 'REJECT', dcid: CLIENT_CID, pn: 0, timestamp: 1900, timestampDiff: 0 },
  body: { code: 5, message: 'full', peers: PEERS },
};
function rejectBody(): Bytes {
  const o = b().u16(5, 'code = FULL (0x0005)').text('full', 'message').u8(2, 'peerCount = 2');
  PEERS.forEach((p, i) => pexPeer(o, p, i));
  return o;
}

const dataPacket: { header: HeaderJson; frames: unknown[]; unknownFrames: number } = {
  header: {
    type: 'DATA',
    dcid: SERVER_CID,
    pn: 1,
    timestamp: 3100,
    timestampDiff: 900,
    ack: { delayUs: 1000, ranges: [[0, 1]] },
  },
  frames: [
    { type: 'PLAYLIST_REQUEST', reqId: 1, rendition: 0, fromSeq: 0 },
    { type: 'PING', nonce: 1 },
  ],
  unknownFrames: 0,
};
const dataSkip = {
  header: { type: 'DATA', dcid: SERVER_CID, pn: 3, timestamp: 3200, timestampDiff: 900 },
  frames: [
    { type: 'PING', nonce: 2 },
    { type: 'CANCEL', reqId: 9 },
  ],
  unknownFrames: 1,
};

const GROUPS: Group[] = [
  {
    title: '§14.2 Keys',
    intro:
      'Every signed vector is signed with the key of RFC 8032 §7.1 TEST 1, so the key derivation can be ' +
      `checked against the RFC: seed (the RFC's "SECRET KEY") \`${SEED}\`, public key = stream id ` +
      `\`${STREAM_ID}\`. JSON: the seed; hex: the stream id.`,
    vectors: [
      {
        name: 'key/rfc8032-test-1',
        json: { seed: SEED },
        bytes: b().raw(STREAM_ID, 'streamId = public key'),
      },
    ],
  },
  {
    title: '§14.3 Header and ACK block',
    intro: 'JSON: the header; hex: the fixed header followed by the ACK block, if any (§3).',
    vectors: [
      { name: 'header/plain', json: H_DATA, bytes: header(H_DATA) },
      { name: 'header/ack-one-range', json: H_ACK1, bytes: header(H_ACK1) },
      { name: 'header/ack-ranges', json: H_ACKN, bytes: header(H_ACKN) },
    ],
  },
  {
    title: '§14.4 Packets',
    intro:
      'JSON: the whole datagram as `{"header": …, "body": …}` or, for DATA, `{"header": …, "frames": […], "unknownFrames": n}`; hex: the whole datagram.',
    vectors: [
      {
        name: 'packet/hello',
        json: helloJson(0, 1000, ''),
        bytes: header(helloJson(0, 1000, '').header).nest(helloBody(''), ''),
        padTo: 1200,
      },
      {
        name: 'packet/hello-with-cookie',
        json: helloJson(1, 1800, COOKIE),
        bytes: header(helloJson(1, 1800, COOKIE).header).nest(helloBody(COOKIE), ''),
        padTo: 1200,
      },
      {
        name: 'packet/hello-no-path',
        prose:
          'A viewer with no working path to the stream asks the broadcaster for a rescue slot (§4.7 NO_PATH, ' +
          '§13.5): the HELLO that carries the cookie of a RETRY, with capabilities `0x117`.',
        json: helloJson(1, 1800, COOKIE, 0x117),
        bytes: header(helloJson(1, 1800, COOKIE, 0x117).header).nest(helloBody(COOKIE, 0x117), ''),
        padTo: 1200,
      },
      {
        name: 'packet/retry',
        json: {
          header: { type: 'RETRY', dcid: CLIENT_CID, pn: 0, timestamp: 1500, timestampDiff: 0 },
          body: { cookie: COOKIE },
        },
        bytes: header({ type: 'RETRY', dcid: CLIENT_CID, pn: 0, timestamp: 1500, timestampDiff: 0 })
          .u8(20, 'cookieLength = 20')
          .raw(COOKIE, 'cookie: issuedAt || HMAC-SHA256(…)[0..16)'),
      },
      {
        name: 'packet/welcome',
        prose:
          'Like every handshake packet, WELCOME has `pn` 0, no ACK block and `timestampDiff` 0: it is ' +
          'outside the DATA packet numbering and the HELLO is never acknowledged (§3.4, §8.1).',
        json: welcome,
        bytes: header(welcome.header).nest(welcomeBody(welcome.body), ''),
      },
      {
        name: 'packet/welcome-ipv6',
        json: welcome6,
        bytes: header(welcome6.header).nest(welcomeBody(welcome6.body), ''),
      },
      { name: 'packet/reject', json: reject, bytes: header(reject.header).nest(rejectBody(), '') },
      {
        name: 'packet/data',
        prose:
          "The client's second DATA packet (`pn` 1: its first, `pn` 0, carried the PING that confirms " +
          "the handshake, §10.2 step 5). Its ACK block acknowledges the server's DATA packets 0 and 1; " +
          'handshake packets are never acknowledged (§8.1).',
        json: dataPacket,
        bytes: header(dataPacket.header)
          .nest(
            frame(
              'PLAYLIST_REQUEST',
              b().u32(1, 'reqId = 1').u8(0, 'rendition = 0').u32(0, 'fromSeq = 0 (whole window)'),
            ),
            '',
          )
          .nest(frame('PING', b().u32(1, 'nonce = 1')), ''),
      },
      {
        name: 'packet/punch',
        prose:
          'A hole-punching probe (§4.9): all-zero `dcid`, `pn` = the probe index, no ACK block; ' +
          "the token of the PUNCH_CONNECT that asked for it and the sender's node id.",
        json: punchPacket,
        bytes: header(punchPacket.header)
          .raw(PUNCH_TOKEN, 'token (from PUNCH_CONNECT)')
          .raw(CLIENT_NODE, 'nodeId (the sender)'),
      },
      {
        name: 'packet/data-skips-unknown-and-padding',
        json: dataSkip,
        decodeOnly: true,
        bytes: header(dataSkip.header)
          .nest(frame('PING', b().u32(2, 'nonce = 2')), '')
          .u8(0x7f, 'type 0x7f (unknown: skipped)')
          .u16(3, 'length = 3')
          .raw('aabbcc', '  body (ignored)')
          .nest(
            b()
              .u8(0x16, 'type CANCEL')
              .u16(6, 'length = 6')
              .u32(9, '  reqId = 9')
              .raw('0000', '  two bytes after the defined fields (ignored)'),
            '',
          )
          .raw('00', 'PADDING: type 0x00, the rest of the datagram is ignored')
          .raw('00000000', ''),
      },
    ],
  },
  {
    title: '§14.5 Frames',
    intro: 'JSON: the frame; hex: type, length and body as they appear inside a DATA packet (§5.1).',
    vectors: [
      frameVector('ping', { type: 'PING', nonce: 0xdeadbeef }, b().u32(0xdeadbeef, 'nonce')),
      frameVector('pong', { type: 'PONG', nonce: 0xdeadbeef }, b().u32(0xdeadbeef, 'nonce')),
      frameVector(
        'goodbye',
        { type: 'GOODBYE', code: 0x0108, message: 'shutting down' },
        b().u16(0x0108, 'code = CLOSED (0x0108)').text('shutting down', 'message'),
      ),
      frameVector(
        'error',
        { type: 'ERROR', code: 6, message: 'café ☕' },
        b().u16(6, 'code = PROTOCOL_VIOLATION (0x0006)').text('café ☕', 'message'),
      ),
      frameVector(
        'playlist-request',
        { type: 'PLAYLIST_REQUEST', reqId: 1, rendition: 0, fromSeq: 120 },
        b().u32(1, 'reqId = 1').u8(0, 'rendition = 0').u32(120, 'fromSeq = 120'),
      ),
      frameVector(
        'stream-info',
        { type: 'STREAM_INFO', reqId: 2, info: INFO.json },
        b().u32(2, 'reqId = 2').nest(INFO.bytes, ''),
      ),
      frameVector(
        'playlist',
        { type: 'PLAYLIST', reqId: 3, part: 0, parts: 1, entries: [INIT_ENTRY.json, MEDIA_ENTRY.json] },
        b()
          .u32(3, 'reqId = 3')
          .u8(0, 'part = 0')
          .u8(1, 'parts = 1')
          .u8(2, 'entryCount = 2')
          .nest(INIT_ENTRY.bytes, '  ')
          .nest(MEDIA_ENTRY.bytes, '  '),
      ),
      frameVector(
        'segment-request',
        {
          type: 'SEGMENT_REQUEST',
          reqId: 7,
          rendition: 0,
          kind: 'media',
          seq: 1,
          deadlineMs: 2500,
          priority: 0,
        },
        b()
          .u32(7, 'reqId = 7')
          .u8(0, 'rendition = 0')
          .u8(0, 'kind = 0 (media)')
          .u32(1, 'seq = 1')
          .u32(2500, 'deadlineMs = 2500')
          .u8(0, 'priority = 0'),
      ),
      frameVector(
        'segment-request-init',
        {
          type: 'SEGMENT_REQUEST',
          reqId: 8,
          rendition: 1,
          kind: 'init',
          seq: 0,
          deadlineMs: 0xffffffff,
          priority: 2,
        },
        b()
          .u32(8, 'reqId = 8')
          .u8(1, 'rendition = 1')
          .u8(1, 'kind = 1 (init)')
          .u32(0, 'seq = 0')
          .u32(0xffffffff, 'deadlineMs = none')
          .u8(2, 'priority = 2'),
      ),
      frameVector(
        'segment-request-range',
        {
          type: 'SEGMENT_REQUEST',
          reqId: 9,
          rendition: 0,
          kind: 'media',
          seq: 2,
          deadlineMs: 1500,
          priority: 1,
          range: { offset: 2048, length: 452 },
        },
        b()
          .u32(9, 'reqId = 9')
          .u8(0, 'rendition = 0')
          .u8(0, 'kind = 0 (media)')
          .u32(2, 'seq = 2')
          .u32(1500, 'deadlineMs = 1500')
          .u8(1, 'priority = 1')
          .u32(2048, 'rangeOffset = 2048 (piece 2 of frame/piece-map)')
          .u32(452, 'rangeLength = 452'),
        'The range extension (§5.7): the last piece of the segment of frame/piece-map. In JSON the range is ' +
          '`"range": {"offset", "length"}`.',
      ),
      frameVector(
        'segment-data',
        {
          type: 'SEGMENT_DATA',
          reqId: 7,
          offset: 4,
          totalSize: 9,
          data: Buffer.from('ent 1').toString('hex'),
        },
        b()
          .u32(7, 'reqId = 7')
          .u32(4, 'offset = 4')
          .u32(9, 'totalSize = 9')
          .raw(Buffer.from('ent 1').toString('hex'), 'data = "ent 1"'),
      ),
      frameVector(
        'segment-not-available',
        { type: 'SEGMENT_NOT_AVAILABLE', reqId: 8, reason: 1 },
        b().u32(8, 'reqId = 8').u8(1, 'reason = NOT_YET'),
      ),
      frameVector('cancel', { type: 'CANCEL', reqId: 7 }, b().u32(7, 'reqId = 7')),
      frameVector(
        'priority',
        { type: 'PRIORITY', reqId: 7, priority: 3, deadlineMs: 1200 },
        b().u32(7, 'reqId = 7').u8(3, 'priority = 3').u32(1200, 'deadlineMs = 1200'),
      ),
      frameVector('have', { type: 'HAVE', entry: MEDIA_ENTRY.json }, b().nest(MEDIA_ENTRY.bytes, '')),
      frameVector(
        'availability',
        { type: 'AVAILABILITY', rendition: 0, baseSeq: 100, count: 12, bitmap: 'e410' },
        b()
          .u8(0, 'rendition = 0')
          .u32(100, 'baseSeq = 100')
          .u16(12, 'count = 12')
          .raw('e410', 'bitmap: seqs 100, 101, 102, 105, 111'),
      ),
      frameVector('choke', { type: 'CHOKE' }, b()),
      frameVector('unchoke', { type: 'UNCHOKE' }, b()),
      frameVector(
        'piece-map',
        { type: 'PIECE_MAP', map: PIECE_MAP.json },
        b().nest(PIECE_MAP.bytes, ''),
        'The segment is 2500 bytes: byte `i` is `i mod 251` (00 01 … fa 00 01 …); its SHA-256 is the ' +
          "entry's `sha256`. Pieces of 1024 bytes: [0, 1024), [1024, 2048), [2048, 2500). The JSON has no " +
          '`count`: it is the number of `hashes`.',
      ),
      frameVector(
        'piece-have',
        { type: 'PIECE_HAVE', rendition: 0, seq: 2, count: 3, bitmap: 'a0' },
        b().u8(0, 'rendition = 0').u32(2, 'seq = 2').u8(3, 'count = 3').raw('a0', 'bitmap: pieces 0 and 2'),
      ),
      frameVector(
        'piece-have-offer',
        { type: 'PIECE_HAVE', rendition: 0, seq: 2, count: 3, bitmap: '40', offer: true },
        b()
          .u8(0, 'rendition = 0')
          .u32(2, 'seq = 2')
          .u8(3, 'count = 3')
          .raw('40', 'bitmap: piece 1')
          .u8(1, 'flags = OFFER'),
      ),
      frameVector(
        'offline',
        { type: 'OFFLINE', notice: OFFLINE.json },
        b().nest(OFFLINE.bytes, ''),
        'The broadcaster of record/segment-entry (seq 1, 4 s long) stopped 12 s after the stream of record/stream-info ' +
          'began: no entry of rendition 0 with seq 2 or more exists (§5.16, §6.5).',
      ),
      frameVector('path-state-no-path', { type: 'PATH_STATE', state: 1 }, b().u8(1, 'state = NO_PATH')),
      frameVector('path-state-has-path', { type: 'PATH_STATE', state: 0 }, b().u8(0, 'state = HAS_PATH')),
      frameVector('pex-request', { type: 'PEX_REQUEST', max: 16 }, b().u8(16, 'max = 16')),
      frameVector(
        'pex-response',
        { type: 'PEX_RESPONSE', peers: PEERS },
        PEERS.reduce((o, p, i) => pexPeer(o, p, i), b().u8(2, 'count = 2')),
      ),
      frameVector(
        'addresses',
        { type: 'ADDRESSES', nat: 2, candidates: OWN_CANDIDATES },
        candidates(b().u8(2, 'nat = CONE'), OWN_CANDIDATES),
      ),
      frameVector(
        'punch-request',
        { type: 'PUNCH_REQUEST', nodeId: SERVER_NODE },
        b().raw(SERVER_NODE, 'nodeId (the node to be introduced to)'),
      ),
      frameVector(
        'punch-connect',
        {
          type: 'PUNCH_CONNECT',
          token: PUNCH_TOKEN,
          nodeId: SERVER_NODE,
          nat: 3,
          role: 3,
          candidates: CONNECT_CANDIDATES,
        },
        candidates(
          b()
            .raw(PUNCH_TOKEN, 'token')
            .raw(SERVER_NODE, 'nodeId (the other node)')
            .u8(3, 'nat = SYMMETRIC (the other node)')
            .u8(3, 'role = BIRTHDAY_PROBER (the receiver)'),
          CONNECT_CANDIDATES,
        ),
      ),
      frameVector(
        'punch-failed',
        { type: 'PUNCH_FAILED', nodeId: SERVER_NODE, reason: 2 },
        b().raw(SERVER_NODE, 'nodeId').u8(2, 'reason = BOTH_SYMMETRIC'),
      ),
    ],
  },
  {
    title: '§14.6 Signed records',
    intro:
      'JSON: the record; hex: its encoding (§6). The signatures verify under the stream id of §14.2. ' +
      'The `signed/…` vectors show the exact message each signature covers, as JSON `{"streamId": …, "record": …}` ' +
      '(the record without its signature) and hex. For a SegmentEntry it is the 22 ASCII bytes ' +
      "`shoal/v1/segment-entry`, the 32-byte stream id and the entry's first 58 bytes: 112 bytes. For a StreamInfo " +
      'it is the 20 ASCII bytes `shoal/v1/stream-info`, the stream id and the record without its last 64 bytes. ' +
      'For a PieceMap (§6.4) it is the 18 ASCII bytes `shoal/v1/piece-map`, the stream id, the first 58 bytes of ' +
      'its entry, then `pieceSize`, `count` and the hashes: 113 + 32 × count bytes (the record of frame/piece-map: 209). ' +
      'For an OfflineNotice (§6.5) it is the 16 ASCII bytes `shoal/v1/offline`, the stream id, `nextSeq` and ' +
      '`stoppedAtMs`: 60 bytes. ' +
      'The signature is pure Ed25519 (RFC 8032 §5.1.6) of that message, with no prehash.',
    vectors: [
      { name: 'record/segment-entry-init', json: INIT_ENTRY.json, bytes: INIT_ENTRY.bytes },
      { name: 'record/segment-entry', json: MEDIA_ENTRY.json, bytes: MEDIA_ENTRY.bytes },
      { name: 'record/stream-info', json: INFO.json, bytes: INFO.bytes },
      {
        name: 'signed/segment-entry',
        json: { streamId: STREAM_ID, record: { ...MEDIA_ENTRY.json, signature: undefined } },
        bytes: MEDIA_ENTRY.signed,
      },
      {
        name: 'signed/stream-info',
        json: { streamId: STREAM_ID, record: { ...INFO.json, signature: undefined } },
        bytes: INFO.signed,
      },
      {
        name: 'signed/piece-map',
        json: { streamId: STREAM_ID, record: { ...PIECE_MAP.json, signature: undefined } },
        bytes: PIECE_MAP.signed,
      },
      {
        name: 'signed/offline-notice',
        json: { streamId: STREAM_ID, record: { ...OFFLINE.json, signature: undefined } },
        bytes: OFFLINE.signed,
      },
    ],
  },
];

// ---- markdown ----

function hexBlock(v: Vector): string {
  const width = Math.min(48, Math.max(...v.bytes.lines.map((l) => l.hex.length)));
  const lines = v.bytes.lines.map((l) => (l.note ? `${l.hex.padEnd(width)}  # ${l.note}` : l.hex));
  if (v.padTo) lines.push(`${`pad-to ${v.padTo}`.padEnd(width)}  # zeros up to ${v.padTo} bytes`);
  return lines.join('\n');
}

function vectorMarkdown(v: Vector): string {
  const attrs = v.decodeOnly ? ' decode-only' : '';
  const size = v.padTo ? `${v.padTo} bytes (${v.bytes.length} before padding)` : `${v.bytes.length} bytes`;
  return [
    `<!-- vector: ${v.name}${attrs} -->`,
    `**${v.name}** — ${size}${v.decodeOnly ? ', decode only' : ''}`,
    '',
    ...(v.prose ? [v.prose, ''] : []),
    '```json',
    JSON.stringify(v.json),
    '```',
    '',
    '```hex',
    hexBlock(v),
    '```',
  ].join('\n');
}

const out = GROUPS.map((g) =>
  [`### ${g.title}`, '', g.intro, '', g.vectors.map(vectorMarkdown).join('\n\n')].join('\n'),
).join('\n\n');

const doc = readFileSync(DOC, 'utf8');
const begin = '<!-- vectors:begin -->';
const end = '<!-- vectors:end -->';
const i = doc.indexOf(begin);
const j = doc.indexOf(end);
if (i < 0 || j < i) throw new Error(`docs/PROTOCOL.md has no ${begin} … ${end} section`);
writeFileSync(DOC, doc.slice(0, i + begin.length) + '\n\n' + out + '\n\n' + doc.slice(j));
console.log(`wrote ${GROUPS.reduce((n, g) => n + g.vectors.length, 0)} vectors`);
