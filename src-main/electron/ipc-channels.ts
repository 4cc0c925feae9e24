// The fixed IPC channels between the preload and the main process, and the envelope
// shapes on them. Shared by preload.ts (bundled into the sandboxed preload) and
// ipc-bridge.ts, so it must not import electron or Node.

import { z } from 'zod';
import { ErrorInfoSchema } from '../../src-shared/contract.js';

/** The one request channel: `ipcRenderer.invoke(CALL_CHANNEL, IpcCall)` → IpcReply. */
export const CALL_CHANNEL = 'shoal:call';
/** Main → renderer pushes. */
export const SNAPSHOT_CHANNEL = 'shoal:snapshot';
export const OPEN_LINK_CHANNEL = 'shoal:open-link';

/** `method` is any short string here so an unknown one gets a proper error reply. */
export const IpcCallSchema = z.object({
  method: z.string().max(64),
  arg: z.unknown().optional(),
});
export type IpcCall = z.infer<typeof IpcCallSchema>;

export const IpcReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown().optional() }),
  z.object({ ok: z.literal(false), error: ErrorInfoSchema }),
]);
export type IpcReply = z.infer<typeof IpcReplySchema>;
