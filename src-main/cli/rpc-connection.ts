// One browser UI connected over the WebSocket RPC: validates each request, dispatches it
// and answers by id. A client that sends something that is not an RPC request is closed;
// a valid request that fails is answered with an ErrorInfo and the connection stays up.

import type { RawData, WebSocket } from 'ws';
import type { ErrorInfo } from '../../src-shared/contract.js';
import { ShoalError } from '../../src-shared/errors.js';
import { RpcRequestSchema, type Push, type RpcResponse } from '../../src-shared/ws-messages.js';
import type { ApiDispatcher } from '../engine/api-dispatcher.js';

/** Above this many queued bytes a slow client skips pushes; snapshots supersede each other. */
const PUSH_BACKLOG_LIMIT = 512 * 1024;

/** WebSocket close code for "message not consistent with the type" (RFC 6455 §7.4.1). */
const CLOSE_INVALID_PAYLOAD = 1007;

export class RpcConnection {
  constructor(
    private readonly socket: WebSocket,
    private readonly dispatch: ApiDispatcher,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
  }

  push(message: Push): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > PUSH_BACKLOG_LIMIT) return;
    this.socket.send(JSON.stringify(message));
  }

  close(code = 1001, reason = 'server shutting down'): void {
    this.socket.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    let parsed: unknown;
    try {
      if (isBinary) throw new Error('binary');
      parsed = JSON.parse(data.toString());
    } catch {
      this.close(CLOSE_INVALID_PAYLOAD, 'expected a JSON RPC request');
      return;
    }
    const request = RpcRequestSchema.safeParse(parsed);
    if (!request.success) {
      this.close(CLOSE_INVALID_PAYLOAD, 'malformed RPC request');
      return;
    }
    const { id, method, arg } = request.data;
    this.dispatch(method, arg).then(
      (result) => this.reply({ id, ok: true, result: result ?? null }),
      (err: unknown) => this.reply({ id, ok: false, error: toErrorInfo(err) }),
    );
  }

  private reply(response: RpcResponse): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(response));
  }
}

function toErrorInfo(err: unknown): ErrorInfo {
  return ShoalError.from(err).toJSON();
}
