import { describe, expect, it } from 'vitest';
import { generateStreamKeys, signEntry, signStreamInfo } from '../protocol/signing.js';
import { EntryFlag } from '../protocol/constants.js';
import { EntryBook } from './entry-book.js';

const keys = generateStreamKeys();
const entry = (seq: number, flags = 0) =>
  signEntry(keys.privateKey, keys.streamId, {
    rendition: 0,
    flags,
    seq,
    initSeq: null,
    durationUs: 2_000_000,
    size: 100,
    programDateTimeMs: 0,
    sha256: Buffer.alloc(32, seq),
  });

describe('EntryBook', () => {
  it('accepts signed entries once and tracks the live edge', () => {
    const book = new EntryBook(keys.streamId, 8);
    expect(book.add(entry(5))).toBe('new');
    expect(book.add(entry(5))).toBe('known');
    expect(book.add(entry(7))).toBe('new');
    expect(book.liveEdge(0)).toBe(7);
    expect(book.window(0).map((e) => e.seq)).toEqual([5, 7]);
  });

  it('rejects forged entries and entries of another stream', () => {
    const book = new EntryBook(keys.streamId);
    const forged = { ...entry(1), size: 101 };
    expect(book.add(forged)).toBe('invalid');
    const other = generateStreamKeys();
    const foreign = signEntry(other.privateKey, other.streamId, {
      ...entry(2),
      signature: undefined,
    } as never);
    expect(book.add(foreign)).toBe('invalid');
    expect(book.window(0)).toEqual([]);
  });

  it('keeps a bounded window and calls older entries stale', () => {
    const book = new EntryBook(keys.streamId, 4);
    for (let s = 0; s < 10; s++) book.add(entry(s));
    expect(book.window(0).map((e) => e.seq)).toEqual([6, 7, 8, 9]);
    expect(book.add(entry(2))).toBe('stale');
  });

  it('keeps init entries apart from media', () => {
    const book = new EntryBook(keys.streamId);
    expect(book.add(entry(0, EntryFlag.INIT))).toBe('new');
    expect(book.get(0, 'init', 0)).toBeDefined();
    expect(book.get(0, 'media', 0)).toBeUndefined();
    expect(book.liveEdge(0)).toBe(-1);
  });

  it('verifies stream info', () => {
    const book = new EntryBook(keys.streamId);
    const info = signStreamInfo(keys.privateKey, keys.streamId, {
      flags: 2,
      createdAtMs: 1,
      targetDurationMs: 2000,
      renditions: [],
    });
    expect(book.addInfo({ ...info, targetDurationMs: 1 })).toBe('invalid');
    expect(book.addInfo(info)).toBe('new');
    expect(book.addInfo(info)).toBe('known');
  });
});
