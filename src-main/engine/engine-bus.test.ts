import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { EngineBus } from './engine-bus.js';

const arrival = {
  rendition: 0,
  seq: 7,
  bytes: 1000,
  source: 'peer' as const,
  from: null,
  peerBytes: 1000,
  fetchMs: 10,
};

describe('EngineBus.lastError (issue 18 §4)', () => {
  it('a passing problem (a failed segment) is over when the next segment arrives', () => {
    const bus = new EngineBus(() => 0);
    bus.error(new ShoalError(ErrorCode.HASH_MISMATCH, 'segment 6 failed its hash'), true);
    expect(bus.lastError?.code).toBe(ErrorCode.HASH_MISMATCH);
    bus.segment(arrival);
    expect(bus.lastError).toBeNull();
  });

  it('any other problem stays until another replaces it', () => {
    const bus = new EngineBus(() => 0);
    bus.error(new ShoalError(ErrorCode.IO, 'recording: disk full'));
    bus.segment(arrival);
    expect(bus.lastError?.code).toBe(ErrorCode.IO);
    // A passing one after it takes its place, and passes.
    bus.error(new ShoalError(ErrorCode.HASH_MISMATCH, 'segment 8 failed its hash'), true);
    bus.segment({ ...arrival, seq: 9 });
    expect(bus.lastError).toBeNull();
  });
});
