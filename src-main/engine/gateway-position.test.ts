import { describe, expect, it } from 'vitest';
import { fakeSegment } from '../../test/fakes/segments.js';
import { SegmentStore } from '../store/segment-store.js';
import { GATEWAY_PLAYER_GONE_MS, gatewayPlayerPosition } from './gateway-position.js';

const t0 = Date.UTC(2026, 11, 5, 12, 0, 0);

function storeOf(seqs: number[], dated = true): SegmentStore {
  const store = new SegmentStore();
  for (const seq of seqs) {
    const { entry, data } = fakeSegment({ seq, programDateTimeMs: dated ? t0 + seq * 2000 : 0 });
    store.put(entry, data);
  }
  return store;
}

describe('gatewayPlayerPosition', () => {
  it('puts the player at least as far behind live as the end of the newest segment it fetched', () => {
    const store = storeOf([10, 11, 12, 13]);
    const now = t0 + 11 * 2000 + 2000 + 1500; // 1.5 s after segment 11 ended
    expect(gatewayPlayerPosition({ rendition: 0, seq: 11, at: now - 500 }, store, now)).toEqual({
      seq: 11,
      behindLiveSec: 1.5,
      heldAheadSec: 4, // 12 and 13, 2 s each
    });
  });

  it('has no distance for a stream without dates, and no player once it stopped fetching', () => {
    const now = t0 + 60_000;
    expect(gatewayPlayerPosition({ rendition: 0, seq: 1, at: now }, storeOf([1, 2], false), now)).toEqual({
      seq: 1,
      behindLiveSec: null,
      heldAheadSec: 2,
    });
    const gone = { rendition: 0, seq: 1, at: now - GATEWAY_PLAYER_GONE_MS - 1 };
    expect(gatewayPlayerPosition(gone, storeOf([1]), now)).toBeNull();
    expect(gatewayPlayerPosition(null, storeOf([1]), now)).toBeNull();
  });
});
