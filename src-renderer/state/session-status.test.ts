import { describe, expect, it } from 'vitest';
import { makeSnapshot } from '../test-support/fixtures';
import { sessionStatus, type StatusInput } from './session-status';

const base: StatusInput = { snapshot: makeSnapshot(), connection: 'open', busy: null, addressError: null };
const kind = (input: Partial<StatusInput>) => sessionStatus({ ...base, ...input }).kind;
const watching = (state: Parameters<typeof makeSnapshot>[0] extends infer T ? T : never) =>
  makeSnapshot({ mode: 'watching', ...state });

describe('sessionStatus', () => {
  it('maps each watching state to its badge', () => {
    expect(kind({ snapshot: watching({ state: 'connecting' }) })).toBe('connecting');
    expect(kind({ snapshot: watching({ state: 'buffering' }) })).toBe('buffering');
    expect(kind({ snapshot: watching({ state: 'playing' }) })).toBe('playing');
    expect(kind({ snapshot: watching({ state: 'broadcaster-offline' }) })).toBe('broadcaster-offline');
    expect(kind({ snapshot: watching({ state: 'ended' }) })).toBe('ended');
    expect(kind({ snapshot: watching({ state: 'not-found' }) })).toBe('not-found');
    expect(kind({ snapshot: watching({ state: 'error' }) })).toBe('error');
  });

  it('says stream ended / not found after the engine went idle too', () => {
    expect(kind({ snapshot: makeSnapshot({ state: 'ended' }) })).toBe('ended');
    expect(kind({ snapshot: makeSnapshot({ state: 'not-found' }) })).toBe('not-found');
    expect(kind({})).toBe('idle');
  });

  it('shows an invalid address only while idle', () => {
    expect(kind({ addressError: 'bad' })).toBe('invalid-address');
    expect(kind({ addressError: 'bad', snapshot: watching({ state: 'playing' }) })).toBe('playing');
  });

  it('puts a lost engine and a request in flight first', () => {
    expect(kind({ connection: 'closed', snapshot: watching({ state: 'playing' }) })).toBe('offline');
    expect(kind({ busy: 'watch' })).toBe('connecting');
    expect(kind({ snapshot: null, connection: 'connecting' })).toBe('connecting');
  });

  it('shows a broadcast as live, or stalled', () => {
    const broadcast = { folder: '/x', renditions: 1, viewers: 0, stalled: false };
    expect(kind({ snapshot: makeSnapshot({ mode: 'broadcasting', state: 'playing', broadcast }) })).toBe(
      'live',
    );
    expect(
      kind({
        snapshot: makeSnapshot({
          mode: 'broadcasting',
          state: 'playing',
          broadcast: { ...broadcast, stalled: true },
        }),
      }),
    ).toBe('stalled');
  });

  it('gives every state a label and tone', () => {
    const s = sessionStatus({ ...base, snapshot: watching({ state: 'not-found' }) });
    expect(s).toEqual({ kind: 'not-found', label: 'Stream not found', tone: 'bad' });
  });
});
