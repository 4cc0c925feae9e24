import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings, type StatsSnapshot } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import type { EngineFacade } from '../engine/engine-facade.js';
import { createIpcDispatch, dispatchCall } from './ipc-dispatch.js';

const SESSION = {
  streamId: 's',
  address: 'shoal://s@h:1',
  playlistUrl: 'shoal-media://media/stream/s/master.m3u8',
};

function fakeEngine(overrides: Partial<EngineFacade> = {}): EngineFacade {
  let settings: Settings = { ...DEFAULT_SETTINGS };
  return {
    getSnapshot: () => ({ at: 1 }) as StatsSnapshot,
    startBroadcast: async () => SESSION,
    stopBroadcast: async () => {},
    watch: async () => SESSION,
    stopWatching: async () => {},
    getSettings: () => settings,
    updateSettings: async (patch) => (settings = { ...settings, ...patch }),
    onSnapshot: () => () => {},
    onEvent: () => () => {},
    handleMedia: async () => ({ status: 404, contentType: 'text/plain', body: '' }),
    ...overrides,
  };
}

const host = { pickFolder: async () => '/videos/live', openExternalPlayer: async () => true };

describe('dispatchCall', () => {
  it('calls the engine and wraps the result', async () => {
    const watch = vi.fn(async () => SESSION);
    const reply = await dispatchCall(fakeEngine({ watch }), host, 'watch', 'shoal://s@h:1');
    expect(reply).toEqual({ ok: true, result: SESSION });
    expect(watch).toHaveBeenCalledWith('shoal://s@h:1');
  });

  it('sends void results as null', async () => {
    expect(await dispatchCall(fakeEngine(), host, 'stopWatching', undefined)).toEqual({
      ok: true,
      result: null,
    });
  });

  it('answers host methods from the host, not the engine', async () => {
    expect(await dispatchCall(fakeEngine(), host, 'pickFolder', undefined)).toEqual({
      ok: true,
      result: '/videos/live',
    });
    expect(await dispatchCall(fakeEngine(), host, 'openExternalPlayer', null)).toEqual({
      ok: true,
      result: true,
    });
  });

  it('rejects unknown methods, including prototype names', async () => {
    for (const method of ['deleteEverything', 'constructor', '__proto__', 'handleMedia', 'onSnapshot']) {
      const reply = await dispatchCall(fakeEngine(), host, method, undefined);
      expect(reply).toMatchObject({ ok: false, error: { codeName: 'MALFORMED' } });
    }
  });

  it('rejects bad arguments before the engine sees them', async () => {
    const startBroadcast = vi.fn(async () => SESSION);
    const engine = fakeEngine({ startBroadcast });
    expect(await dispatchCall(engine, host, 'startBroadcast', { folder: 42 })).toMatchObject({
      ok: false,
      error: { codeName: 'MALFORMED' },
    });
    expect(await dispatchCall(engine, host, 'watch', '')).toMatchObject({ ok: false });
    expect(await dispatchCall(engine, host, 'getSnapshot', { sneaky: true })).toMatchObject({ ok: false });
    expect(startBroadcast).not.toHaveBeenCalled();
  });

  it('reports bad settings as BAD_SETTINGS with the field name', async () => {
    const reply = await dispatchCall(fakeEngine(), host, 'updateSettings', { maxPeers: 0 });
    expect(reply).toMatchObject({ ok: false, error: { codeName: 'BAD_SETTINGS' } });
    expect(reply.ok === false && reply.error.message).toContain('maxPeers');
  });

  it('passes a ShoalError through with its code and fatal flag', async () => {
    const engine = fakeEngine({
      watch: async () => {
        throw new ShoalError(ErrorCode.STREAM_NOT_FOUND, 'no such stream', true);
      },
    });
    expect(await dispatchCall(engine, host, 'watch', 'shoal://x')).toEqual({
      ok: false,
      error: {
        code: ErrorCode.STREAM_NOT_FOUND,
        codeName: 'STREAM_NOT_FOUND',
        message: 'no such stream',
        fatal: true,
      },
    });
  });

  it('maps any other error to INTERNAL and reports it', async () => {
    const onInternal = vi.fn();
    const engine = fakeEngine({
      stopBroadcast: async () => {
        throw new TypeError('oops');
      },
    });
    const reply = await createIpcDispatch(engine, host, onInternal)({ method: 'stopBroadcast' });
    expect(reply).toMatchObject({
      ok: false,
      error: { codeName: 'INTERNAL', message: 'oops', fatal: false },
    });
    expect(onInternal).toHaveBeenCalledOnce();
  });
});

describe('createIpcDispatch envelope', () => {
  const dispatch = createIpcDispatch(fakeEngine(), host);

  it('rejects payloads that are not {method, arg}', async () => {
    for (const payload of [null, 'getSnapshot', 42, [], { method: 7 }, { method: 'x'.repeat(65) }]) {
      expect(await dispatch(payload)).toMatchObject({ ok: false, error: { codeName: 'MALFORMED' } });
    }
  });

  it('accepts a call without arg', async () => {
    expect(await dispatch({ method: 'getSettings' })).toEqual({ ok: true, result: DEFAULT_SETTINGS });
  });
});
