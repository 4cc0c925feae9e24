// ShoalApi over the WebSocket JSON RPC of the CLI's UI server (the browser host).
// Every incoming message is validated; calls are matched to answers by id; when the
// socket drops, calls in flight are rejected at once (the UI says so) and the client
// reconnects with backoff. The server pushes a fresh snapshot on every (re)connect.

import {
  API_ARGUMENTS,
  type ApiMethod,
  type ErrorInfo,
  type ShoalApi,
  type StatsSnapshot,
} from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { API_RESULTS, ServerMessageSchema, type RpcRequest } from '../../src-shared/ws-messages.js';
import { reconnectDelayMs } from './backoff';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** A host whose link to the engine can drop (the browser host); Electron's cannot. */
export interface ConnectionAware {
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}

export type WebSocketApi = ShoalApi & ConnectionAware & { close(): void };

/** The part of the DOM WebSocket we use, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WebSocketApiOptions {
  createSocket?: (url: string) => SocketLike;
  /** A call without an answer after this long is rejected (the engine may be wedged). */
  callTimeoutMs?: number;
  random?: () => number;
}

const OPEN = 1;

interface PendingCall {
  method: ApiMethod;
  resolve: (value: unknown) => void;
  reject: (error: ShoalError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function isConnectionAware(api: ShoalApi): api is ShoalApi & ConnectionAware {
  return typeof (api as Partial<ConnectionAware>).onConnectionChange === 'function';
}

export function createWebSocketApi(
  url: string,
  token: string,
  options: WebSocketApiOptions = {},
): WebSocketApi {
  const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
  const callTimeoutMs = options.callTimeoutMs ?? 60_000;
  const socketUrl = `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

  const pending = new Map<number, PendingCall>();
  const queued: RpcRequest[] = []; // calls made while the socket is still opening
  const snapshotListeners = new Set<(s: StatsSnapshot) => void>();
  const linkListeners = new Set<(address: string) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();

  let socket: SocketLike | null = null;
  let state: ConnectionState = 'closed';
  let attempt = 0;
  let nextId = 1;
  let closedByUs = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  const setState = (next: ConnectionState): void => {
    if (state === next) return;
    state = next;
    for (const l of connectionListeners) l(next);
  };

  const failAll = (error: ShoalError): void => {
    queued.length = 0;
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      pending.delete(id);
      call.reject(error);
    }
  };

  const connect = (): void => {
    reconnectTimer = null;
    setState('connecting');
    const ws = createSocket(socketUrl);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('open');
      for (const request of queued.splice(0)) ws.send(JSON.stringify(request));
    };
    ws.onmessage = (ev) => onMessage(ev.data);
    ws.onerror = () => {}; // onclose follows and carries the handling
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failAll(new ShoalError(ErrorCode.CLOSED, 'Lost the connection to the Shoal engine; reconnecting…'));
      setState('closed');
      if (!closedByUs) reconnectTimer = setTimeout(connect, reconnectDelayMs(attempt++, options.random));
    };
  };

  const onMessage = (data: unknown): void => {
    let message;
    try {
      message = ServerMessageSchema.parse(JSON.parse(String(data)));
    } catch {
      console.warn('shoal: ignored an invalid message from the engine');
      return;
    }
    if ('push' in message) {
      if (message.push === 'snapshot') for (const l of snapshotListeners) l(message.payload);
      else for (const l of linkListeners) l(message.payload);
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    clearTimeout(call.timer);
    if (!message.ok) {
      call.reject(fromErrorInfo(message.error));
      return;
    }
    const result = API_RESULTS[call.method].safeParse(message.result);
    if (result.success) call.resolve(result.data);
    else call.reject(ShoalError.internal(`the engine sent an invalid answer to ${call.method}`));
  };

  const call = <T>(method: ApiMethod, arg?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (API_ARGUMENTS[method] === null && arg !== undefined) {
        reject(ShoalError.internal(`${method} takes no argument`));
        return;
      }
      if (state === 'closed' || !socket) {
        reject(new ShoalError(ErrorCode.CLOSED, 'Not connected to the Shoal engine; reconnecting…'));
        return;
      }
      const id = nextId++;
      const request: RpcRequest = arg === undefined ? { id, method } : { id, method, arg };
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(ShoalError.deadline(`the engine's answer to ${method}`));
      }, callTimeoutMs);
      pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      if (socket.readyState === OPEN) socket.send(JSON.stringify(request));
      else queued.push(request);
    });

  const subscribe =
    <T>(set: Set<(value: T) => void>) =>
    (listener: (value: T) => void): (() => void) => {
      set.add(listener);
      return () => set.delete(listener);
    };

  connect();

  return {
    host: 'browser',
    getSnapshot: () => call('getSnapshot'),
    startBroadcast: (request) => call('startBroadcast', request),
    stopBroadcast: () => call('stopBroadcast'),
    watch: (address) => call('watch', address),
    stopWatching: () => call('stopWatching'),
    getSettings: () => call('getSettings'),
    updateSettings: (patch) => call('updateSettings', patch),
    pickFolder: () => call('pickFolder'),
    openExternalPlayer: () => call('openExternalPlayer'),
    onSnapshot: subscribe(snapshotListeners),
    onOpenLink: subscribe(linkListeners),
    onConnectionChange: (listener) => {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    close: () => {
      closedByUs = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      failAll(ShoalError.closed('the connection to the Shoal engine'));
      socket?.close(1000, 'closed by the UI');
      socket = null;
      setState('closed');
    },
  };
}

function fromErrorInfo(info: ErrorInfo): ShoalError {
  return new ShoalError(info.code, info.message, info.fatal);
}
