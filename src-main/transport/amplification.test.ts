import { describe, expect, it } from 'vitest';
import { AmplificationLedger } from './amplification.js';

describe('AmplificationLedger', () => {
  it('never lets bytes out exceed 3x bytes in for an address', () => {
    const l = new AmplificationLedger();
    l.onReceived('a', 1200);
    expect(l.trySend('a', 3000)).toBe(true);
    expect(l.trySend('a', 601)).toBe(false);
    expect(l.trySend('a', 600)).toBe(true);
    expect(l.ratio('a')).toBe(3);
    expect(l.limited).toBe(1);
  });

  it('sends nothing to an address it has heard nothing from', () => {
    const l = new AmplificationLedger();
    expect(l.trySend('b', 1)).toBe(false);
  });

  it('stays bounded, forgetting the oldest address first', () => {
    const l = new AmplificationLedger(3);
    for (const k of ['a', 'b', 'c', 'd']) l.onReceived(k, 100);
    expect(l.size).toBe(3);
    expect(l.trySend('a', 1)).toBe(false);
    expect(l.trySend('d', 300)).toBe(true);
  });
});
