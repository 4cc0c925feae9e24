// The local HTTP gateway: serves each stream's HLS straight from its SegmentStore to
// players on this machine (the app's own player, VLC, mpv, ffmpeg).
//
//   /stream/<id>/master.m3u8
//   /stream/<id>/<rendition>/live.m3u8
//   /stream/<id>/<rendition>/<seq>.ts | <seq>.m4s | init-<seq>.mp4
//
// Bound to 127.0.0.1 only, never the LAN. Paths are matched whole against these patterns
// and nothing is read from disk, so there is no path to traverse. Only GET and HEAD are
// answered.
//
// Its clients are players (VLC, mpv, ffmpeg), never web pages: the app's own player reads
// media through the shoal-media: scheme (Electron) or the UI server's /media (browser).
// So it sends no CORS headers (a page on another origin cannot read what it fetches), it
// refuses requests a browser marks as coming from another site, and it answers only to
// its own loopback host and port (a DNS-rebound name is refused).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { resolveMediaHeld } from './held-media.js';
import { MEDIA_ROUTES, type MediaStream } from './media-resolver.js';

/** What the gateway needs to know about one stream. */
export type GatewayStream = MediaStream;

export interface HlsGatewayOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

export interface GatewayStats {
  requests: number;
  bytesServed: number;
  /** Clients (connections) that fetched something in the last CONSUMER_WINDOW_MS. */
  consumers: number;
  openConnections: number;
  perStream: Record<string, StreamServed>;
}

export interface StreamServed {
  requests: number;
  bytesServed: number;
  /** The newest media segment served (a player's position, engine/gateway-position.ts). */
  lastMedia?: { rendition: number; seq: number; at: number };
}

export const GATEWAY_HOST = '127.0.0.1';
const CONSUMER_WINDOW_MS = 10_000;
const ID = '([A-Za-z0-9_-]{1,128})';

export class HlsGateway {
  private readonly streams = new Map<string, GatewayStream>();
  private readonly perStream = new Map<string, StreamServed>();
  private readonly sockets = new Map<Socket, number>();
  private server: Server | null = null;
  private listeningPort = 0;
  private requests = 0;
  private bytesServed = 0;

  constructor(private readonly options: HlsGatewayOptions = {}) {}

  get port(): number {
    return this.listeningPort;
  }

  /** The master playlist URL of a stream (valid once started). */
  urlFor(streamId: string): string {
    return `http://${GATEWAY_HOST}:${this.listeningPort}/stream/${streamId}/master.m3u8`;
  }

  addStream(streamId: string, stream: GatewayStream): void {
    if (!new RegExp(`^${ID}$`).test(streamId)) {
      throw new ShoalError(
        ErrorCode.BAD_SETTINGS,
        `gateway stream id "${streamId}" must be 1-128 of A-Z a-z 0-9 _ -`,
      );
    }
    this.streams.set(streamId, stream);
    if (!this.perStream.has(streamId)) this.perStream.set(streamId, { requests: 0, bytesServed: 0 });
  }

  removeStream(streamId: string): void {
    this.streams.delete(streamId);
  }

  async start(): Promise<number> {
    if (this.server) return this.listeningPort;
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, 0);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? ShoalError.io(
                `HLS gateway: port ${this.options.port} is in use (another Shoal, or another program): pick another port in Settings, or 0 for any free port`,
              )
            : ShoalError.io('HLS gateway: cannot listen', err),
        );
      });
      server.listen(this.options.port ?? 0, GATEWAY_HOST, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', () => {}); // after listening, errors belong to single connections
    this.server = server;
    const address = server.address();
    this.listeningPort = typeof address === 'object' && address ? address.port : 0;
    return this.listeningPort;
  }

  async destroy(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  stats(): GatewayStats {
    const since = Date.now() - CONSUMER_WINDOW_MS;
    let consumers = 0;
    for (const last of this.sockets.values()) if (last >= since) consumers++;
    return {
      requests: this.requests,
      bytesServed: this.bytesServed,
      consumers,
      openConnections: this.sockets.size,
      perStream: Object.fromEntries(
        [...this.perStream].map(([id, s]) => [
          id,
          { ...s, ...(s.lastMedia && { lastMedia: { ...s.lastMedia } }) },
        ]),
      ),
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    this.sockets.set(req.socket, Date.now());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      if (!this.hostAllowed(req.headers.host)) return this.fail(res, 403, 'forbidden host');
      if (fromAnotherSite(req.headers['sec-fetch-site']))
        return this.fail(res, 403, 'web pages may not read this stream');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return this.fail(res, 405, 'method not allowed');
      }
      this.route(req, res).catch((err: unknown) => this.failLate(res, err));
    } catch (err) {
      this.failLate(res, err);
    }
  }

  private failLate(res: ServerResponse, err: unknown): void {
    if (!res.headersSent) this.fail(res, 500, ShoalError.from(err).message);
    else res.destroy();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    const id = /^\/stream\/([^/]+)\//.exec(url)?.[1] ?? '';
    const result = await resolveMediaHeld((streamId) => this.streams.get(streamId), url);
    if (res.destroyed) return;
    if (result.status === 200) this.noteMedia(id, url);
    if (result.status !== 200) {
      for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
      return this.fail(res, result.status, String(result.body).trim());
    }
    const body = typeof result.body === 'string' ? Buffer.from(result.body) : result.body;
    const headers: Record<string, string> = { 'Content-Type': result.contentType, ...result.headers };
    if (result.segmentBytes === 0) return this.send(req, res, id, 200, headers, body);
    headers['Accept-Ranges'] = 'bytes';
    const range = parseRange(req.headers.range, body.length);
    if (range === 'unsatisfiable') {
      headers['Content-Range'] = `bytes */${body.length}`;
      return this.send(req, res, id, 416, headers, Buffer.alloc(0));
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${body.length}`;
      return this.send(req, res, id, 206, headers, body.subarray(range.start, range.end + 1));
    }
    this.send(req, res, id, 200, headers, body);
  }

  private noteMedia(id: string, url: string): void {
    const m = MEDIA_ROUTES.segment.exec(url.split('?')[0] ?? '');
    const s = this.perStream.get(id);
    if (!m || !s) return;
    const [rendition, seq] = [Number(m[2]), Number(m[3])];
    if (s.lastMedia && s.lastMedia.rendition === rendition && s.lastMedia.seq > seq) return;
    s.lastMedia = { rendition, seq, at: Date.now() };
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    status: number,
    headers: Record<string, string>,
    body: Uint8Array,
  ): void {
    res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
    const sent = req.method === 'HEAD' ? 0 : body.length;
    res.end(sent > 0 ? body : undefined);
    this.bytesServed += sent;
    const s = this.perStream.get(id);
    if (s) {
      s.requests++;
      s.bytesServed += sent;
    }
  }

  private fail(res: ServerResponse, status: number, message: string): void {
    const body = Buffer.from(`${message}\n`);
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(body.length),
    });
    res.end(body);
  }

  private hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return true; // HTTP/1.0 players send none; browsers always do
    return isLoopbackHost(host, this.listeningPort);
  }
}

/**
 * True when a Host header names this machine's loopback at `port`: 127.0.0.1, localhost or
 * [::1], nothing else (a DNS-rebinding page sends its own name), and the right port.
 */
export function isLoopbackHost(host: string, port: number): boolean {
  const m = /^(127\.0\.0\.1|localhost|\[::1\])(?::(\d{1,5}))?$/i.exec(host.trim());
  return m !== null && Number(m[2] ?? 80) === port;
}

/**
 * Browsers mark every request with where it comes from (Fetch Metadata); "cross-site" and
 * "same-site" mean a web page (any other port on 127.0.0.1 is the same site) asked. A
 * player sends no such header; an address typed into the browser sends "none".
 */
function fromAnotherSite(value: string | string[] | undefined): boolean {
  return value === 'cross-site' || value === 'same-site';
}

/** A single `bytes=a-b` range (RFC 9110 §14.1.2); multiple ranges get the whole body. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
