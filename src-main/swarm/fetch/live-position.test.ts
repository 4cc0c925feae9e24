import { describe, expect, it } from 'vitest';
import { signedEntry } from '../../../test/fakes/swarm-fakes.js';
import { generateStreamKeys } from '../../protocol/signing.js';
import { EntryBook } from '../entry-book.js';
import { LivePosition } from './live-position.js';
import type { SegmentVault } from '../ports.js';

const keys = generateStreamKeys();
const SEGMENT_MS = 2000; // the book's segment duration before a stream info is known

function joinAt(edge: number, now: { t: number }) {
  const book = new EntryBook(keys.streamId);
  for (let seq = 1; seq <= edge; seq++) book.add(signedEntry(keys, seq));
  const held = new Set<number>();
  const vault: SegmentVault = {
    get: () => undefined,
    has: (_r, kind, seq) => kind === 'media' && held.has(seq),
    put: () => undefined,
    heldSeqs: () => [...held],
  };
  const position = new LivePosition(
    { vault, joinDistance: 2, now: () => now.t },
    book,
    () => [],
    () => undefined,
    () => undefined,
  );
  position.start();
  return { book, held, position, start: position.ensureStart(0)! };
}

describe('LivePosition.fetchBy', () => {
  it('wants the join point and every segment up to the edge it was chosen at within a segment', () => {
    const now = { t: 1_000_000 };
    const { position, start } = joinAt(10, now);
    expect(start).toBe(9);
    // Someone waits for the picture: the catch-up is wanted at once, not by its playback deadline.
    expect(position.fetchBy(0, 9, start)).toBe(now.t + SEGMENT_MS);
    expect(position.fetchBy(0, 10, start)).toBe(now.t + SEGMENT_MS);
  });

  it('wants a segment published after the join by its playback deadline', () => {
    const now = { t: 1_000_000 };
    const { book, position, start } = joinAt(10, now);
    book.add(signedEntry(keys, 11));
    // Played after the join point and the catch-up: joinDistance + (11 - 9) segments after the join.
    expect(position.fetchBy(0, 11, start)).toBe(now.t + 4 * SEGMENT_MS);
  });

  it('wants a caught-up segment by its playback deadline once it is held in order', () => {
    const now = { t: 1_000_000 };
    const { held, position, start } = joinAt(10, now);
    held.add(9);
    held.add(10);
    expect(position.contiguousHead(0)).toBe(10);
    expect(position.fetchBy(0, 10, start)).toBe(now.t + 3 * SEGMENT_MS);
  });
});
