// Writes the test vectors of PROTOCOL §15.5 into docs/PROTOCOL.md (between the
// `<!-- dht-vectors:begin -->` and `<!-- dht-vectors:end -->` markers).
//
//   npx tsx test/protocol/generate-dht-vectors.ts && npx prettier --write docs/PROTOCOL.md
//
// Like generate-vectors.ts, the bytes are built here by hand from the layouts of §15 (the
// bencoding written out), NOT with src-main/protocol/dht-record.ts, so that the vector
// test compares two independent encodings. Signatures come from node:crypto.

import { createHash, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { PRIVATE_KEY as KEY, SEED, STREAM_ID } from './rfc8032-key.js';

const DOC = new URL('../../docs/PROTOCOL.md', import.meta.url);
type Line = { bytes: Buffer; note: string };
const ascii = (s: string): Buffer => Buffer.from(s, 'ascii');
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function lines(parts: Line[]): string {
  const out: string[] = [];
  for (const { bytes, note } of parts) {
    for (let i = 0; i < bytes.length; i += 16) {
      const h = [...bytes.subarray(i, i + 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
      out.push(i === 0 && note ? `${h.padEnd(48)}  # ${note}` : h);
    }
  }
  return out.join('\n');
}

const v4 = Buffer.concat([hex('c6336407'), hex('0fa0')]); // 198.51.100.7:4000
const v6 = Buffer.concat([hex('20010db8000000000000000000000007'), hex('0fa0')]); // [2001:db8::7]:4000
const nodeId = hex('0102030405060708');
const recordParts: Line[] = [
  { bytes: ascii('d'), note: 'd: dictionary' },
  { bytes: ascii('1:e'), note: 'key "e": endpoints' },
  { bytes: ascii('l'), note: 'l: list' },
  { bytes: ascii('6:'), note: '6-byte string:' },
  { bytes: v4, note: '198.51.100.7, port 4000' },
  { bytes: ascii('18:'), note: '18-byte string:' },
  { bytes: v6, note: '2001:db8::7, port 4000' },
  { bytes: ascii('e'), note: 'end of list' },
  { bytes: ascii('1:n'), note: 'key "n": node id' },
  { bytes: ascii('8:'), note: '8-byte string:' },
  { bytes: nodeId, note: 'nodeId' },
  { bytes: ascii('1:v'), note: 'key "v": version' },
  { bytes: ascii('i1e'), note: 'integer 1' },
  { bytes: ascii('e'), note: 'end of dictionary' },
];
const record = Buffer.concat(recordParts.map((p) => p.bytes));
const recordJson = {
  version: 1,
  endpoints: [
    { host: '198.51.100.7', port: 4000 },
    { host: '2001:db8::7', port: 4000 },
  ],
  nodeId: nodeId.toString('hex'),
};
const SEQ = 1767225600000;
const salt = 'shoal/v1/endpoints';
const signedParts: Line[] = [
  { bytes: ascii(`4:salt${salt.length}:`), note: `key "salt", ${salt.length}-byte string:` },
  { bytes: ascii(salt), note: `"${salt}"` },
  { bytes: ascii(`3:seqi${SEQ}e`), note: `key "seq", integer ${SEQ}` },
  { bytes: ascii(`1:v${record.length}:`), note: `key "v", ${record.length}-byte string: the record` },
  { bytes: record, note: 'the record (dht/record)' },
];
const signed = Buffer.concat(signedParts.map((p) => p.bytes));
const signature = sign(null, signed, KEY);
const target = createHash('sha1').update(hex(STREAM_ID)).update(ascii(salt)).digest();
const swarmKey = createHash('sha1').update(ascii('shoal/v1/swarm')).update(hex(STREAM_ID)).digest();

const vectors: { name: string; prose: string; json: unknown; hex: string; size: number }[] = [
  {
    name: 'dht/record',
    prose: 'The BEP 44 value `v` (§15.1): the bencoded dictionary, keys in sorted order.',
    json: recordJson,
    hex: lines(recordParts),
    size: record.length,
  },
  {
    name: 'dht/signed',
    prose: `The bytes the BEP 44 signature covers (§15.2) for that record at seq ${SEQ}.`,
    json: { seq: SEQ, record: recordJson },
    hex: lines(signedParts),
    size: signed.length,
  },
  {
    name: 'dht/signature',
    prose: 'The signature `sig` over dht/signed, with the key of §14.2 (pure Ed25519).',
    json: { seed: SEED, seq: SEQ, record: recordJson },
    hex: lines([{ bytes: signature, note: 'sig' }]),
    size: signature.length,
  },
  {
    name: 'dht/target',
    prose: 'The DHT key of the record of the stream of §14.2: SHA-1(streamId ‖ "shoal/v1/endpoints").',
    json: { streamId: STREAM_ID },
    hex: lines([{ bytes: target, note: 'target' }]),
    size: target.length,
  },
  {
    name: 'dht/swarm-key',
    prose: 'The BEP 5 `info_hash` of the same stream (§15.3): SHA-1("shoal/v1/swarm" ‖ streamId).',
    json: { streamId: STREAM_ID },
    hex: lines([{ bytes: swarmKey, note: 'info_hash' }]),
    size: swarmKey.length,
  },
];

const md = vectors
  .map((v) =>
    [
      `<!-- vector: ${v.name} -->`,
      '',
      `**${v.name}** — ${v.size} bytes`,
      '',
      v.prose,
      '',
      '```json',
      JSON.stringify(v.json),
      '```',
      '',
      '```hex',
      v.hex,
      '```',
    ].join('\n'),
  )
  .join('\n\n');

const doc = readFileSync(DOC, 'utf8');
const begin = '<!-- dht-vectors:begin -->';
const end = '<!-- dht-vectors:end -->';
const i = doc.indexOf(begin);
const j = doc.indexOf(end);
if (i < 0 || j < i) throw new Error('PROTOCOL.md has no dht-vectors markers');
writeFileSync(DOC, `${doc.slice(0, i + begin.length)}\n\n${md}\n\n${doc.slice(j)}`);
console.log(`wrote ${vectors.length} DHT vectors`);
