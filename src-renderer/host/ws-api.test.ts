import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type StatsSnapshot } from '../../src-shared/contract.js';
import { reconnectDelayMs } from './backoff';
import { createWebSocketApi, type SocketLike } from './ws-api';
import { wsEndpointFromLocation } from './ws-endpoint';
import { makeSnapshot } from '../../test/fakes/snapshot.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Array<{ id: number; method: string; arg?: unknown }> = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const snapshot: StatsSnapshot = makeSnapshot({ at: 5 });

describe('createWebSocketApi', () => {
  let sockets: FakeSocket[];
  const latest = () => sockets[sockets.length - 1]!;
  const make = () =>
    createWebSocketApi('ws://127.0.0.1:9/api', 'tok en', {
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      random: () => 0.5,
    });

  beforeEach(() => {
    sockets = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('connects with the token and resolves validated answers by id', async () => {
    const api = make();
    expect(latest().url).toBe('ws://127.0.0.1:9/api?token=tok%20en');
    const settings = api.getSettings(); // queued until the socket opens
    latest().open();
    expect(latest().sent).toEqual([{ id: 1, method: 'getSettings' }]);
    latest().receive({ id: 1, ok: true, result: DEFAULT_SETTINGS });
    await expect(settings).resolves.toEqual(DEFAULT_SETTINGS);
    api.close();
  });

  it('rejects with the engine ErrorInfo, and rejects malformed answers', async () => {
    const api = make();
    latest().open();
    const watch = api.watch('shoal://x');
    latest().receive({
      id: 1,
      ok: false,
      error: { code: 0x301, codeName: 'BAD_ADDRESS', message: 'bad', fatal: false },
    });
    await expect(watch).rejects.toMatchObject({ codeName: 'BAD_ADDRESS', message: 'bad' });
    const settings = api.getSettings();
    latest().receive({ id: 2, ok: true, result: { maxPeers: 'many' } });
    await expect(settings).rejects.toMatchObject({ codeName: 'INTERNAL' });
    api.close();
  });

  it('delivers validated pushes and ignores invalid ones', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = make();
    latest().open();
    const seen: number[] = [];
    const links: string[] = [];
    api.onSnapshot((s) => seen.push(s.at));
    api.onOpenLink((a) => links.push(a));
    latest().receive({ push: 'snapshot', payload: snapshot });
    latest().receive({ push: 'snapshot', payload: { ...snapshot, peers: 'lots' } });
    latest().receive({ push: 'openLink', payload: 'shoal://abc' });
    expect(seen).toEqual([5]);
    expect(links).toEqual(['shoal://abc']);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    api.close();
  });

  it('rejects calls in flight on disconnect and reconnects with backoff', async () => {
    const api = make();
    const states: string[] = [];
    api.onConnectionChange((s) => states.push(s));
    latest().open();
    const call = api.getSnapshot();
    latest().drop();
    await expect(call).rejects.toMatchObject({ codeName: 'CLOSED', message: expect.stringMatching(/Lost/) });
    await expect(api.getSnapshot()).rejects.toMatchObject({ codeName: 'CLOSED' });
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(reconnectDelayMs(0, () => 0.5));
    expect(sockets).toHaveLength(2);
    latest().open();
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);
    api.close();
  });

  it('times out a call the engine never answers', async () => {
    const api = createWebSocketApi('ws://h/api', 't', {
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      callTimeoutMs: 1000,
    });
    latest().open();
    const call = api.stopBroadcast();
    vi.advanceTimersByTime(1001);
    await expect(call).rejects.toMatchObject({ codeName: 'DEADLINE_EXCEEDED' });
    api.close();
  });
});

describe('wsEndpointFromLocation', () => {
  it('derives the socket URL and token from the page address', () => {
    expect(
      wsEndpointFromLocation({ protocol: 'http:', host: '127.0.0.1:8123', search: '?token=abc' }),
    ).toEqual({
      url: 'ws://127.0.0.1:8123/api',
      token: 'abc',
    });
    expect(wsEndpointFromLocation({ protocol: 'http:', host: '127.0.0.1:1', search: '' })).toBeNull();
  });
});

describe('reconnectDelayMs', () => {
  it('grows and is capped', () => {
    const mid = () => 0.5;
    expect(reconnectDelayMs(0, mid)).toBe(250);
    expect(reconnectDelayMs(2, mid)).toBe(1000);
    expect(reconnectDelayMs(50, mid)).toBe(5000);
  });
});
