import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EntryFlag } from '../protocol/constants.js';
import { encodeSegmentEntry } from '../protocol/records.js';
import { generateStreamKeys, rawPublicKey, signEntry } from '../protocol/signing.js';
import type { SegmentEntry } from '../protocol/types.js';
import { streamIdFromPublicKey } from '../../src-shared/stream-address.js';
import { KEEP_ENTRIES, SequenceJournal } from './sequence-journal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const { privateKey } = generateStreamKeys();
const publicKey = rawPublicKey(privateKey);
const streamId = streamIdFromPublicKey(publicKey);
const sha = (n: number): Uint8Array => new Uint8Array(32).fill(n);

function entry(
  seq: number,
  opts: { init?: boolean; rendition?: number; shaByte?: number } = {},
): SegmentEntry {
  return signEntry(privateKey, publicKey, {
    rendition: opts.rendition ?? 0,
    flags: opts.init ? EntryFlag.INIT : 0,
    seq,
    initSeq: null,
    durationUs: opts.init ? 0 : 1_000_000,
    size: 100,
    programDateTimeMs: 0,
    sha256: sha(opts.shaByte ?? seq % 256),
  });
}

describe('SequenceJournal', () => {
  it('starts a new key at 0 and continues after a restart, with the same entries', async () => {
    const { journal, problem } = await SequenceJournal.open(dir, streamId, publicKey, true);
    expect(problem).toBeNull();
    expect(journal.resumePoint(0)).toMatchObject({ nextSeq: 0, nextInitSeq: 0, hasHistory: false });
    await journal.record(entry(0, { init: true, shaByte: 200 }));
    for (let seq = 5; seq < 9; seq++) await journal.record(entry(seq));

    const again = (await SequenceJournal.open(dir, streamId, publicKey, false)).journal;
    const resume = again.resumePoint(0);
    expect(resume).toMatchObject({ nextSeq: 9, nextInitSeq: 1, hasHistory: true });
    expect(resume.seqOf('media', sha(7))).toBe(7);
    expect(resume.seqOf('init', sha(200))).toBe(0);
    expect(resume.seqOf('media', sha(200))).toBeUndefined();
    expect(encodeSegmentEntry(again.signed(0, 'media', 8)!)).toEqual(encodeSegmentEntry(entry(8)));
    // No temporary file is left beside it.
    expect(await readdir(join(dir, 'streams'))).toEqual([`${streamId}.json`]);
  });

  it('stays bounded however long the broadcast runs', async () => {
    const { journal } = await SequenceJournal.open(dir, streamId, publicKey, true);
    await Promise.all(Array.from({ length: 500 }, (_, seq) => journal.record(entry(seq))));
    const text = await readFile(journal.file, 'utf8');
    expect(text.length).toBeLessThan(KEEP_ENTRIES * 200);
    const again = (await SequenceJournal.open(dir, streamId, publicKey, false)).journal;
    expect(again.resumePoint(0).nextSeq).toBe(500);
    expect(again.signed(0, 'media', 499)).toBeDefined();
    expect(again.signed(0, 'media', 500 - KEEP_ENTRIES - 1)).toBeUndefined();
  });

  it('jumps ahead when what was signed before is unknown (lost or damaged journal)', async () => {
    const now = Date.UTC(2026, 0, 1);
    const lost = await SequenceJournal.open(dir, streamId, publicKey, false, now);
    expect(lost.problem).toBeNull();
    const floor = lost.journal.resumePoint(3).nextSeq;
    expect(floor).toBeGreaterThan(100_000_000);
    expect(floor).toBeLessThan(2 ** 32);

    await lost.journal.record(entry(floor));
    await writeFile(lost.journal.file, '{"version":1,"streamId":"x"');
    const damaged = await SequenceJournal.open(dir, streamId, publicKey, false, now + 10_000);
    expect(damaged.problem?.message).toMatch(/damaged/);
    expect(damaged.journal.resumePoint(0).nextSeq).toBe(floor + 10);
  });

  it('refuses entries that do not verify (a journal edited by hand)', async () => {
    const { journal } = await SequenceJournal.open(dir, streamId, publicKey, true);
    await journal.record(entry(1));
    const body = JSON.parse(await readFile(journal.file, 'utf8')) as { renditions: { entries: string[] }[] };
    const bytes = Buffer.from(body.renditions[0]!.entries[0]!, 'base64');
    bytes[2] = bytes[2]! ^ 1; // seq
    body.renditions[0]!.entries[0] = bytes.toString('base64');
    await writeFile(journal.file, JSON.stringify(body));
    const { problem } = await SequenceJournal.open(dir, streamId, publicKey, false);
    expect(problem?.message).toMatch(/does not verify/);
  });
});
