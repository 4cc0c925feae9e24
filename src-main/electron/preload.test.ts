// Tests the bundled preload itself (what Electron would load), run with a fake `electron`
// module: it must need nothing but `electron`, expose only `shoal`, unwrap replies and
// drop malformed pushes.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type ShoalApi, type StatsSnapshot } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { CALL_CHANNEL, OPEN_LINK_CHANNEL, SNAPSHOT_CHANNEL } from './ipc-channels.js';
import { makeSnapshot } from '../../test/fakes/snapshot.js';

type Handler = (event: unknown, payload: unknown) => void;

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shoal-preload-'));
  const outfile = path.join(dir, 'preload.cjs');
  await promisify(execFile)(process.execPath, ['scripts/build-preload.mjs', outfile], { cwd: process.cwd() });
  bundle = await readFile(outfile, 'utf8');
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads the bundle the way a sandboxed preload is loaded: `require` knows only 'electron'. */
function loadPreload(invoke: (channel: string, payload: unknown) => Promise<unknown>) {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<Handler>>();
  const electron = {
    webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke,
      on: (channel: string, handler: Handler) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(handler);
      },
      removeListener: (channel: string, handler: Handler) => listeners.get(channel)?.delete(handler),
    },
  };
  const requireElectronOnly = (name: string) => {
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', bundle)(requireElectronOnly, module, module.exports);
  const push = (channel: string, payload: unknown) => {
    for (const handler of listeners.get(channel) ?? []) handler({ sender: 'the ipcRenderer' }, payload);
  };
  return { exposed, push, listenerCount: (channel: string) => listeners.get(channel)?.size ?? 0 };
}

const SNAPSHOT: StatsSnapshot = makeSnapshot({ at: 1 });

describe('preload bundle', () => {
  let invoke: ReturnType<typeof vi.fn>;
  let preload: ReturnType<typeof loadPreload>;
  let shoal: ShoalApi;

  beforeEach(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    invoke = vi.fn(async () => ({ ok: true, result: null }));
    preload = loadPreload(invoke as unknown as (channel: string, payload: unknown) => Promise<unknown>);
    shoal = preload.exposed.get('shoal') as ShoalApi;
  });

  it('exposes exactly one object, `shoal`, for the Electron host', () => {
    expect([...preload.exposed.keys()]).toEqual(['shoal']);
    expect(shoal.host).toBe('electron');
    expect(Object.keys(shoal).sort()).toEqual(
      [
        'host',
        'getSnapshot',
        'startBroadcast',
        'stopBroadcast',
        'watch',
        'stopWatching',
        'getSettings',
        'updateSettings',
        'pickFolder',
        'openExternalPlayer',
        'onSnapshot',
        'onOpenLink',
        'pathForFile',
      ].sort(),
    );
  });

  it('sends each call as {method, arg} on the one call channel and unwraps the result', async () => {
    invoke.mockResolvedValueOnce({ ok: true, result: DEFAULT_SETTINGS });
    await expect(shoal.updateSettings({ maxPeers: 30 })).resolves.toEqual(DEFAULT_SETTINGS);
    expect(invoke).toHaveBeenCalledWith(CALL_CHANNEL, { method: 'updateSettings', arg: { maxPeers: 30 } });
    await expect(shoal.stopWatching()).resolves.toBeUndefined();
    expect(invoke).toHaveBeenLastCalledWith(CALL_CHANNEL, { method: 'stopWatching', arg: undefined });
  });

  it('rejects with the whole ErrorInfo as a plain object, so its code crosses the context bridge', async () => {
    const error = new ShoalError(
      ErrorCode.BAD_ADDRESS,
      'bad stream address: it must start with shoal://',
    ).toJSON();
    invoke.mockResolvedValueOnce({ ok: false, error });
    const rejected: unknown = await shoal.watch('nope').catch((e: unknown) => e);
    expect(rejected).toEqual({ name: 'ShoalError', ...error });
    expect(Object.getPrototypeOf(rejected)).toBe(Object.prototype);
  });

  it('rejects malformed replies, results of the wrong shape and refused calls as INTERNAL', async () => {
    const internal = (message: RegExp) => ({
      code: ErrorCode.INTERNAL,
      codeName: 'INTERNAL',
      message: expect.stringMatching(message),
    });
    invoke.mockResolvedValueOnce('surprise');
    await expect(shoal.getSettings()).rejects.toMatchObject(internal(/malformed reply/));
    invoke.mockResolvedValueOnce({ ok: true, result: { maxPeers: 'many' } });
    await expect(shoal.getSettings()).rejects.toMatchObject(internal(/unexpected result/));
    invoke.mockResolvedValueOnce({ ok: true, result: 'yes' });
    await expect(shoal.openExternalPlayer()).rejects.toMatchObject(internal(/unexpected result/));
    invoke.mockRejectedValueOnce(new Error('refused: not the Shoal window'));
    await expect(shoal.getSnapshot()).rejects.toMatchObject(internal(/refused/));
  });

  it('gives the path of a dropped file through webUtils', () => {
    const withPath = shoal as ShoalApi & { pathForFile(file: unknown): string };
    expect(withPath.pathForFile({ name: 'live' })).toBe('/dropped/live');
  });

  it('delivers valid snapshots without the IPC event, and unsubscribes', () => {
    const snapshots: unknown[] = [];
    const offSnapshot = shoal.onSnapshot((s) => snapshots.push(s));
    preload.push(SNAPSHOT_CHANNEL, SNAPSHOT);
    preload.push(SNAPSHOT_CHANNEL, { ...SNAPSHOT, mode: 'hacking' });
    expect(snapshots).toEqual([SNAPSHOT]);
    expect(console.warn).toHaveBeenCalledWith('[shoal] dropped a malformed shoal:snapshot message');
    offSnapshot();
    expect(preload.listenerCount(SNAPSHOT_CHANNEL)).toBe(0);
  });

  it('holds links that arrive before the UI subscribes', () => {
    preload.push(OPEN_LINK_CHANNEL, 'shoal://early@h:1');
    preload.push(OPEN_LINK_CHANNEL, 42);
    const links: string[] = [];
    const off = shoal.onOpenLink((link) => links.push(link));
    expect(links).toEqual(['shoal://early@h:1']);
    preload.push(OPEN_LINK_CHANNEL, 'shoal://later@h:1');
    expect(links).toEqual(['shoal://early@h:1', 'shoal://later@h:1']);
    off();
    preload.push(OPEN_LINK_CHANNEL, 'shoal://held@h:1');
    expect(links).toHaveLength(2);
  });
});
