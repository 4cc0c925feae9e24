import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  DEFAULT_SETTINGS,
  type EngineEvent,
  type Settings,
  type StatsSnapshot,
} from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { ServerMessageSchema, type ServerMessage } from '../../src-shared/ws-messages.js';
import type { EngineFacade } from '../engine/engine-facade.js';
import { UiServer } from './ui-server.js';
import { makeSnapshot } from '../../test/fakes/snapshot.js';

const TOKEN = 'test-token-123';

const idleSnapshot = (at = 1): StatsSnapshot => makeSnapshot({ at });

class FakeEngine implements EngineFacade {
  settings: Settings = { ...DEFAULT_SETTINGS };
  private snapshotListeners = new Set<(s: StatsSnapshot) => void>();
  private eventListeners = new Set<(e: EngineEvent) => void>();
  getSnapshot = () => idleSnapshot();
  startBroadcast = async () => ({ streamId: 's', address: 'shoal://s', playlistUrl: '/media/x' });
  stopBroadcast = async () => {};
  watch = async (address: string) => {
    if (address === 'nope') throw new ShoalError(ErrorCode.BAD_ADDRESS, 'not a stream address');
    return { streamId: 's', address, playlistUrl: '/media/stream/s/master.m3u8' };
  };
  stopWatching = async () => {};
  getSettings = () => this.settings;
  updateSettings = async (patch: Partial<Settings>) => (this.settings = { ...this.settings, ...patch });
  onSnapshot(listener: (s: StatsSnapshot) => void) {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }
  onEvent(listener: (e: EngineEvent) => void) {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }
  emitSnapshot(s: StatsSnapshot) {
    for (const l of this.snapshotListeners) l(s);
  }
  handleMedia = async (mediaPath: string) => {
    if (mediaPath === '/stream/s/master.m3u8') {
      return { status: 200, contentType: 'application/vnd.apple.mpegurl', body: '#EXTM3U\n' };
    }
    throw new ShoalError(ErrorCode.STREAM_NOT_FOUND, 'no such stream');
  };
}

/** Raw GET that keeps the path exactly as written (fetch would normalise `..`). */
function get(port: number, rawPath: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: rawPath, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** A WebSocket client that queues validated server messages for the test to await. */
async function connect(port: number, token = TOKEN) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
  const inbox: ServerMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    inbox.push(ServerMessageSchema.parse(JSON.parse(data.toString())));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (match: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
    for (;;) {
      const i = inbox.findIndex(match);
      if (i >= 0) return inbox.splice(i, 1)[0]!;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  let nextId = 1;
  const call = async (method: string, arg?: unknown) => {
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, arg }));
    return next((m) => 'id' in m && m.id === id);
  };
  return { ws, next, call };
}

describe('UiServer', () => {
  let dir: string;
  let engine: FakeEngine;
  let server: UiServer;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shoal-ui-'));
    const root = path.join(dir, 'renderer');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Shoal</title>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'secret.txt'), 'do not serve');
    engine = new FakeEngine();
    server = new UiServer({ engine, rendererRoot: root, token: TOKEN });
    await server.start();
  });

  afterEach(async () => {
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page only with the token, and assets without it', async () => {
    expect((await get(server.port, '/')).status).toBe(403);
    expect((await get(server.port, '/?token=wrong')).status).toBe(403);
    const page = await get(server.port, `/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Shoal</title>');
    expect(String(page.headers['set-cookie'])).toContain('HttpOnly');
    const asset = await get(server.port, '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect((await get(server.port, '/missing.js')).status).toBe(404);
  });

  it('asks for the token however the page path is spelled', async () => {
    const spellings = [
      '/',
      '/index.html',
      '/index.html/',
      '/%69ndex.html',
      '/%69ndex%2ehtml',
      '//index.html',
    ];
    for (const p of [...spellings, '/assets/../index.html', '/assets/%2e%2e/index.html']) {
      const res = await get(server.port, p);
      expect(res.status, p).toBe(403);
      expect(res.body).not.toContain('<title>Shoal</title>');
      expect(res.headers['set-cookie'], p).toBeUndefined();
    }
    for (const p of spellings) {
      const res = await get(server.port, `${p}?token=${TOKEN}`);
      expect(res.status, p).toBe(200);
      expect(res.body).toContain('<title>Shoal</title>');
    }
  });

  it('answers only to its own loopback host and port, so a DNS-rebound page gets nothing', async () => {
    const port = server.port;
    const paths = ['/assets/app.js', `/?token=${TOKEN}`, `/media/stream/s/master.m3u8?token=${TOKEN}`];
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1.evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
    ]) {
      for (const p of paths) {
        const res = await get(port, p, { host });
        expect(res.status, `${host} ${p}`).toBe(403);
        expect(res.body).not.toMatch(/console\.log|<title>|EXTM3U/);
      }
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      for (const p of paths) expect((await get(port, p, { host })).status, `${host} ${p}`).toBe(200);
    }
    // The WebSocket too, by Host and by Origin.
    const upgrade = (headers: Record<string, string>) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${TOKEN}`, { headers });
      return new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
      });
    };
    expect(await upgrade({ host: `evil.example:${port}` })).toBe(403);
    expect(await upgrade({ origin: `http://evil.example:${port}` })).toBe(403);
    expect(await upgrade({ origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await upgrade({ origin: `http://localhost:${port}` })).toBe(101);
    expect(await upgrade({ origin: `http://[::1]:${port}` })).toBe(101);
  });

  it('rejects path traversal out of the renderer folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const res = await get(server.port, p);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('do not serve');
    }
  });

  it('guards media with the token (query or cookie) and maps engine errors', async () => {
    expect((await get(server.port, '/media/stream/s/master.m3u8')).status).toBe(403);
    const viaQuery = await get(server.port, `/media/stream/s/master.m3u8?token=${TOKEN}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body).toBe('#EXTM3U\n');
    const viaCookie = await get(server.port, '/media/stream/s/master.m3u8', {
      cookie: `shoal_token=${TOKEN}`,
    });
    expect(viaCookie.status).toBe(200);
    expect((await get(server.port, `/media/stream/x/a.ts?token=${TOKEN}`)).status).toBe(404);
  });

  it('refuses the media paths the Electron scheme refuses (issue 18 §7: one check, host-edge/media-path.ts)', async () => {
    // What survives URL parsing (which already resolves /./ and /%2e%2e/ segments).
    for (const p of [
      '/media/stream/..%2f..%2fsecret',
      '/media/stream/s/%2e%2fmaster.m3u8',
      '/media/stream/s%5c..%5cx',
      '/media/stream/s/a%00.ts',
      '/media/stream/%zz',
    ])
      expect((await get(server.port, `${p}?token=${TOKEN}`)).status, p).toBe(400);
  });

  it('refuses WebSocket upgrades without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=bad`);
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(403);
  });

  it('pushes a snapshot on connect and on every engine snapshot', async () => {
    const client = await connect(server.port);
    const first = await client.next((m) => 'push' in m && m.push === 'snapshot');
    expect(first).toMatchObject({ push: 'snapshot', payload: { at: 1 } });
    engine.emitSnapshot(idleSnapshot(42));
    const second = await client.next((m) => 'push' in m && m.push === 'snapshot');
    expect(second).toMatchObject({ payload: { at: 42 } });
    server.openLink('shoal://abc');
    expect(await client.next((m) => 'push' in m && m.push === 'openLink')).toMatchObject({
      payload: 'shoal://abc',
    });
    client.ws.close();
  });

  it('answers calls, and answers bad calls with an error while staying up', async () => {
    const client = await connect(server.port);
    expect(await client.call('getSettings')).toMatchObject({ ok: true, result: DEFAULT_SETTINGS });
    expect(await client.call('pickFolder')).toMatchObject({ ok: true, result: null });
    expect(await client.call('openExternalPlayer')).toMatchObject({ ok: true, result: false });

    const unknown = await client.call('rm -rf');
    expect(unknown).toMatchObject({ ok: false, error: { codeName: 'MALFORMED' } });
    const badArgs = await client.call('updateSettings', { maxPeers: -3 });
    expect(badArgs).toMatchObject({ ok: false, error: { codeName: 'BAD_SETTINGS' } });
    expect(engine.settings.maxPeers).toBe(DEFAULT_SETTINGS.maxPeers);
    const thrown = await client.call('watch', 'nope');
    expect(thrown).toMatchObject({
      ok: false,
      error: { codeName: 'BAD_ADDRESS', message: 'not a stream address' },
    });

    expect(await client.call('updateSettings', { maxPeers: 50 })).toMatchObject({
      ok: true,
      result: { maxPeers: 50 },
    });
    client.ws.close();
  });

  it('closes a client that sends garbage but keeps serving others', async () => {
    const bad = await connect(server.port);
    const closed = new Promise<number>((resolve) => bad.ws.on('close', (code) => resolve(code)));
    bad.ws.send('this is not json');
    expect(await closed).toBe(1007);
    const good = await connect(server.port);
    expect(await good.call('getSnapshot')).toMatchObject({ ok: true, result: { mode: 'idle' } });
    good.ws.close();
  });
});
