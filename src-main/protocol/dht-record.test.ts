// PROTOCOL §15: the DHT record's vectors, read from docs/PROTOCOL.md §15.5, checked both
// ways; hostile values fail cleanly; and the verify function bittorrent-dht calls.

import { describe, expect, it } from 'vitest';
import {
  decodeDhtRecord,
  dhtRecordTarget,
  dhtSignedBytes,
  dhtSwarmKey,
  encodeDhtRecord,
  signDhtMessage,
  verifyDhtSignature,
  type DhtRecord,
} from './dht-record.js';
import { streamKeysFromSeed } from './signing.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { fromJson, readSpecVectors, toJson } from '../../test/protocol/spec-vectors.js';

const vectors = readSpecVectors(undefined, 'dht-vectors');
const vector = (name: string) => {
  const v = vectors.find((x) => x.name === name);
  if (!v) throw new Error(`PROTOCOL §15.5 has no vector ${name}`);
  return v;
};
type Json = { seq: number; seed: Buffer; streamId: Buffer; record: DhtRecord };

function expectMalformed(bytes: Uint8Array): void {
  try {
    decodeDhtRecord(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(ErrorCode.MALFORMED);
    return;
  }
  expect.fail(`decoded ${Buffer.from(bytes).toString('hex')}`);
}

describe('PROTOCOL §15.5 DHT vectors', () => {
  it('are all there', () => {
    expect(vectors.map((v) => v.name).sort()).toEqual(
      ['dht/record', 'dht/signature', 'dht/signed', 'dht/swarm-key', 'dht/target'].sort(),
    );
  });

  it('dht/record decodes to the JSON and encodes to the hex; every truncation fails cleanly', () => {
    const v = vector('dht/record');
    expect(toJson(decodeDhtRecord(v.bytes))).toEqual(v.json);
    expect(encodeDhtRecord(fromJson<DhtRecord>(v.json)).toString('hex')).toBe(v.bytes.toString('hex'));
    for (let n = 0; n < v.bytes.length; n++) expectMalformed(v.bytes.subarray(0, n));
  });

  it('dht/signed is what the signature covers, and dht/signature verifies under the §14.2 key', () => {
    const signed = vector('dht/signed');
    const { seq, record } = fromJson<Json>(signed.json);
    expect(dhtSignedBytes(seq, encodeDhtRecord(record)).toString('hex')).toBe(signed.bytes.toString('hex'));
    const sig = vector('dht/signature');
    const keys = streamKeysFromSeed(fromJson<Json>(sig.json).seed);
    expect(signDhtMessage(keys.privateKey, signed.bytes).toString('hex')).toBe(sig.bytes.toString('hex'));
    expect(verifyDhtSignature(sig.bytes, signed.bytes, keys.streamId)).toBe(true);
    const tampered = Buffer.from(signed.bytes);
    tampered[tampered.length - 2]! ^= 1;
    expect(verifyDhtSignature(sig.bytes, tampered, keys.streamId)).toBe(false);
    expect(verifyDhtSignature(sig.bytes, signed.bytes, Buffer.alloc(31))).toBe(false);
  });

  it('dht/target and dht/swarm-key are the derivations of §15.1 and §15.3', () => {
    const { streamId } = fromJson<Json>(vector('dht/target').json);
    expect(dhtRecordTarget(streamId).toString('hex')).toBe(vector('dht/target').bytes.toString('hex'));
    expect(dhtSwarmKey(streamId).toString('hex')).toBe(vector('dht/swarm-key').bytes.toString('hex'));
  });
});

describe('DHT record from a stranger', () => {
  const b = (s: string) => Buffer.from(s, 'latin1');
  it('says what is wrong, and never throws anything but MALFORMED', () => {
    expectMalformed(b('i1e'));
    expectMalformed(b('le'));
    expectMalformed(b('de'));
    expectMalformed(b('d1:v1:xe'));
    expectMalformed(b('d1:e3:abc1:vi1ee'));
    expectMalformed(b('d1:eli1ee1:vi1ee'));
    expectMalformed(b(`d1:el6:\x7f\x00\x00\x01\x00\x00e1:vi1ee`)); // port 0
    expectMalformed(Buffer.alloc(1000, 0x6c)); // too long
    expectMalformed(b('l'.repeat(400) + 'e'.repeat(400)));
    expectMalformed(b('\xff\xfe'));
  });

  it('skips what it does not know and keeps what it can use', () => {
    const r = decodeDhtRecord(b('d1:el5:abcde6:\x7f\x00\x00\x01\x0f\xa0e1:n3:xyz1:vi2e1:zi9ee'));
    expect(r).toEqual({ version: 2, endpoints: [{ host: '127.0.0.1', port: 4000 }], nodeId: null });
  });

  it('reads an IPv4-mapped 18-byte endpoint as the IPv4 address, and writes one as 6 bytes (§2.2)', () => {
    const mapped = '\x00'.repeat(10) + '\xff\xff\x7f\x00\x00\x01\x0f\xa0';
    const r = decodeDhtRecord(b(`d1:el18:${mapped}e1:vi1ee`));
    expect(r.endpoints).toEqual([{ host: '127.0.0.1', port: 4000 }]);
    const written = encodeDhtRecord({
      version: 1,
      endpoints: [{ host: '::ffff:127.0.0.1', port: 4000 }],
      nodeId: null,
    });
    expect(written.toString('latin1')).toBe('d1:el6:\x7f\x00\x00\x01\x0f\xa0e1:vi1ee');
  });

  it('refuses to encode a record that would not fit', () => {
    expect(() => encodeDhtRecord({ version: 1, endpoints: [], nodeId: null })).toThrow(/1 to 16/);
  });
});
