// The browser host of the UI when the engine runs headless: serves the built renderer,
// the WebSocket RPC at /api and the player's media at /media/..., on 127.0.0.1 only.
// A random token (kept per data folder by the CLI, so a restarted `shoal ui` serves the same
// URL and an open tab reconnects) guards the page, the socket and media, so other local
// users' browsers and other websites cannot drive the engine or read the stream. Only
// requests naming this server's own loopback host and port are answered, so a website
// whose name a DNS-rebinding attack points at 127.0.0.1 gets nothing, not even assets.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { WS_API_PATH, WS_MAX_MESSAGE_BYTES, type Push } from '../../src-shared/ws-messages.js';
import { createApiDispatcher, type ApiDispatcher } from '../engine/api-dispatcher.js';
import { isLoopbackHost } from '../hls/serve/gateway.js';
import { blockingQuery } from '../hls/serve/held-media.js';
import type { EngineFacade } from '../engine/engine-facade.js';
import { RpcConnection } from './rpc-connection.js';
import { mediaErrorStatus, mediaPath as checkedMediaPath } from '../host-edge/media-path.js';
import { RendererFiles } from '../host-edge/renderer-files.js';
import { sendFile } from './static-files.js';

const HOST = '127.0.0.1';
const TOKEN_COOKIE = 'shoal_token';
const MEDIA_PREFIX = '/media/';

export interface UiServerOptions {
  engine: EngineFacade;
  /** Folder with the built renderer (index.html + assets); see `findRendererRoot`. */
  rendererRoot: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The page's token (kept per data folder by the CLI, see UiLaunchFile); random if absent. */
  token?: string;
}

export class UiServer {
  readonly token: string;
  private readonly engine: EngineFacade;
  private readonly dispatch: ApiDispatcher;
  private readonly connections = new Set<RpcConnection>();
  private readonly unsubscribers: Array<() => void> = [];
  private files: RendererFiles | null = null;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;

  constructor(private readonly options: UiServerOptions) {
    this.engine = options.engine;
    this.token = options.token ?? randomBytes(24).toString('base64url');
    // The browser cannot open native dialogs or launch players: the UI falls back to a
    // path field and to showing the gateway URL when these answer null / false.
    this.dispatch = createApiDispatcher(this.engine, {
      pickFolder: async () => null,
      openExternalPlayer: async () => false,
    });
  }

  async start(): Promise<void> {
    if (this.http) throw new ShoalError(ErrorCode.INTERNAL, 'UI server already started');
    this.files = await RendererFiles.open(this.options.rendererRoot);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES });
    this.wss.on('connection', (socket: WebSocket) => this.onConnection(socket));
    const http = createServer((req, res) => {
      this.onRequest(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.http = http;
    await new Promise<void>((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException): void => {
        this.http = null;
        reject(
          err.code === 'EADDRINUSE'
            ? new ShoalError(
                ErrorCode.IO,
                `UI port ${this.options.port} is in use (another Shoal, or another program): pick another with --ui-port <port>, or leave it out for any free port`,
              )
            : ShoalError.io(`UI server: cannot listen on ${HOST}:${this.options.port ?? 0}`, err),
        );
      };
      http.once('error', failed);
      http.listen(this.options.port ?? 0, HOST, () => {
        http.off('error', failed);
        resolve();
      });
    });
    this.unsubscribers.push(
      this.engine.onSnapshot((payload) => this.broadcast({ push: 'snapshot', payload })),
    );
  }

  get port(): number {
    const address = this.http?.address() as AddressInfo | null | undefined;
    if (!address) throw new ShoalError(ErrorCode.INTERNAL, 'UI server is not listening');
    return address.port;
  }

  get origin(): string {
    return `http://${HOST}:${this.port}`;
  }

  /** The URL to open in a browser. */
  get pageUrl(): string {
    return `${this.origin}/?token=${encodeURIComponent(this.token)}`;
  }

  /**
   * Base the engine builds the browser player's playlist URLs on:
   * `${mediaBaseUrl}/stream/<id>/master.m3u8`. Relative to the page on purpose: the page
   * is same-origin with this server, and a relative URL also works through the renderer
   * dev server's proxy. (External players use the engine's own HTTP gateway instead.)
   */
  get mediaBaseUrl(): string {
    return MEDIA_PREFIX.slice(0, -1);
  }

  /** Asks every open UI to show a `shoal://` link (e.g. passed on the command line). */
  openLink(address: string): void {
    this.broadcast({ push: 'openLink', payload: address });
  }

  async destroy(): Promise<void> {
    for (const off of this.unsubscribers.splice(0)) off();
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    const { wss, http } = this;
    this.wss = null;
    this.http = null;
    if (wss) {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  private broadcast(message: Push): void {
    for (const connection of this.connections) connection.push(message);
  }

  private onConnection(socket: WebSocket): void {
    const connection = new RpcConnection(socket, this.dispatch);
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
    socket.on('error', () => socket.terminate());
    // A fresh UI (or one that reconnected) gets the current state at once.
    connection.push({ push: 'snapshot', payload: this.engine.getSnapshot() });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseUrl(req);
    const allowed =
      this.wss !== null &&
      url !== null &&
      this.hostAllowed(req.headers.host) &&
      url.pathname === WS_API_PATH &&
      this.tokenMatches(url.searchParams.get('token')) &&
      this.originAllowed(req.headers.origin);
    if (!allowed || !this.wss) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const wss = this.wss;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!this.hostAllowed(req.headers.host)) return plain(res, 403, 'forbidden host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed');
    const url = parseUrl(req);
    if (!url) return plain(res, 400, 'bad request');
    const headOnly = req.method === 'HEAD';

    if (url.pathname.startsWith(MEDIA_PREFIX)) {
      const token = url.searchParams.get('token') ?? readCookie(req, TOKEN_COOKIE);
      if (!this.tokenMatches(token)) return plain(res, 403, 'forbidden');
      const path = url.pathname.slice(MEDIA_PREFIX.length - 1);
      return this.serveMedia(path, blockingQuery(url.searchParams), res, headOnly);
    }

    // Decide on the file the path resolves to (decoded, normalised, links followed), not
    // on how the path is spelled: /index.html/ and /%69ndex.html are the page too.
    const file = await this.files?.resolve(url.pathname, { spaFallback: false });
    if (!file) return plain(res, 404, 'not found');
    const isPage = RendererFiles.isPage(file);
    if (isPage && !this.tokenMatches(url.searchParams.get('token'))) return plain(res, 403, 'forbidden');
    sendFile(
      res,
      file,
      headOnly,
      isPage
        ? {
            // Media requests hls.js derives from a playlist lose the query string, so the
            // page also hands the token over as a same-site cookie the player sends along.
            'Set-Cookie': `${TOKEN_COOKIE}=${this.token}; Path=/media; HttpOnly; SameSite=Strict`,
            'Content-Security-Policy': "frame-ancestors 'none'",
            'X-Frame-Options': 'DENY',
          }
        : {},
    );
  }

  private async serveMedia(
    mediaPath: string,
    query: string,
    res: ServerResponse,
    headOnly: boolean,
  ): Promise<void> {
    // The same check as Electron's shoal-media: scheme (host-edge/media-path.ts).
    const decoded = checkedMediaPath(mediaPath);
    if (decoded === null) return plain(res, 400, 'bad media path');
    try {
      const media = await this.engine.handleMedia(decoded + query);
      res.writeHead(media.status, { 'Content-Type': media.contentType, ...media.headers });
      res.end(headOnly ? undefined : media.body);
    } catch (err) {
      plain(res, mediaErrorStatus(err), ShoalError.from(err).message);
    }
  }

  private tokenMatches(candidate: string | null): boolean {
    if (candidate === null) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Browsers always send Origin on WebSockets; only our own page may connect. */
  private originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true; // not a browser (tests, tools holding the token)
    const host = /^http:\/\/(.+)$/i.exec(origin)?.[1];
    return host !== undefined && isLoopbackHost(host, this.port);
  }

  /** Browsers always send Host; a DNS-rebound page sends its own name, so it is refused. */
  private hostAllowed(host: string | undefined): boolean {
    return host !== undefined && isLoopbackHost(host, this.port);
  }
}

/**
 * Where the built renderer lives: `dist/renderer` next to the compiled `dist/src-main`,
 * or under the repository root when running from sources (tsx).
 */
export function findRendererRoot(fromUrl: string = import.meta.url): string | null {
  const here = path.dirname(fileURLToPath(fromUrl));
  const candidates = [path.resolve(here, '../../renderer'), path.resolve(here, '../../dist/renderer')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;
}

function parseUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', `http://${HOST}`);
  } catch {
    return null;
  }
}

function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
