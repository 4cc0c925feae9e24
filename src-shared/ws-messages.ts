// The small JSON RPC the browser UI speaks with the headless engine over one WebSocket.
// Both ends validate every message they receive with these schemas: the socket is a
// process boundary like Electron IPC, and a page on another origin might try to talk to it.

import { z } from 'zod';
import {
  ErrorInfoSchema,
  SessionInfoSchema,
  SettingsSchema,
  StatsSnapshotSchema,
  type ApiMethod,
} from './contract.js';

/** Largest message either side accepts; snapshots with a full peer table stay far below. */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Path of the RPC socket on the UI server. */
export const WS_API_PATH = '/api';

/** UI → engine. `method` is any string here so the server can answer an unknown one by id. */
export const RpcRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  arg: z.unknown().optional(),
});
export type RpcRequest = z.infer<typeof RpcRequestSchema>;

export const RpcSuccessSchema = z.object({
  id: z.number().int().nonnegative(),
  ok: z.literal(true),
  result: z.unknown().optional(),
});
export const RpcFailureSchema = z.object({
  id: z.number().int().nonnegative(),
  ok: z.literal(false),
  error: ErrorInfoSchema,
});
export const RpcResponseSchema = z.discriminatedUnion('ok', [RpcSuccessSchema, RpcFailureSchema]);
export type RpcResponse = z.infer<typeof RpcResponseSchema>;

/** Engine → UI, unrequested. */
export const PushSchema = z.discriminatedUnion('push', [
  z.object({ push: z.literal('snapshot'), payload: StatsSnapshotSchema }),
  z.object({ push: z.literal('openLink'), payload: z.string().min(1).max(4096) }),
]);
export type Push = z.infer<typeof PushSchema>;

export const ServerMessageSchema = z.union([RpcResponseSchema, PushSchema]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

// `void` results travel as a missing or null `result`.
const VoidResult = z
  .null()
  .optional()
  .transform(() => undefined);

/** What each method's `result` must look like; the client validates it before resolving. */
export const API_RESULTS: Record<ApiMethod, z.ZodType> = {
  getSnapshot: StatsSnapshotSchema,
  startBroadcast: SessionInfoSchema,
  stopBroadcast: VoidResult,
  watch: SessionInfoSchema,
  stopWatching: VoidResult,
  getSettings: SettingsSchema,
  updateSettings: SettingsSchema,
  pickFolder: z.string().nullable(),
  openExternalPlayer: z.boolean(),
};
