// The sandboxed preload: exposes `window.shoal` (the ShoalApi contract) and nothing else.
// It is bundled to CommonJS (dist/src-main/electron/preload.cjs) because a sandboxed
// preload cannot load modules. The page never sees ipcRenderer or IPC events; every
// reply and push is checked against the contract's schemas before the page gets it.

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { z } from 'zod';
import {
  type ErrorInfo,
  StatsSnapshotSchema,
  type ApiMethod,
  type SessionInfo,
  type Settings,
  type SettingsPatch,
  type ShoalApi,
  type StartBroadcast,
  type StatsSnapshot,
} from '../../src-shared/contract.js';
import { ErrorCode } from '../../src-shared/errors.js';
import { API_RESULTS } from '../../src-shared/ws-messages.js';
import { CALL_CHANNEL, IpcReplySchema, OPEN_LINK_CHANNEL, SNAPSHOT_CHANNEL } from './ipc-channels.js';

// The page's CSP forbids eval; without this zod probes `new Function` and the page
// logs a CSP violation for it.
z.config({ jitless: true });

const LinkSchema = z.string().min(1).max(4096);

/**
 * What a failed call rejects with: a plain ErrorInfo-shaped object, not an Error. The
 * context bridge copies an Error with its message only (electron/electron#25596), which
 * would lose the code the UI shows; plain objects cross whole.
 */
export type RejectedCall = ErrorInfo & { name: 'ShoalError' };

function rejection(info: ErrorInfo): RejectedCall {
  return { name: 'ShoalError', ...info };
}

function internal(message: string): RejectedCall {
  return rejection({ code: ErrorCode.INTERNAL, codeName: 'INTERNAL', message, fatal: false });
}

async function call(method: ApiMethod, arg?: unknown): Promise<unknown> {
  let raw: unknown;
  try {
    raw = await ipcRenderer.invoke(CALL_CHANNEL, { method, arg });
  } catch (err) {
    // Only when main refused the call or has no handler (it is shutting down).
    throw internal(err instanceof Error ? err.message : String(err));
  }
  const reply = IpcReplySchema.safeParse(raw);
  if (!reply.success) throw internal(`malformed reply to ${method}`);
  if (!reply.data.ok) throw rejection(reply.data.error);
  const result = API_RESULTS[method].safeParse(reply.data.result);
  if (!result.success) throw internal(`unexpected result from ${method}`);
  return result.data;
}

function subscribe<T>(channel: string, schema: z.ZodType<T>, listener: (value: T) => void): () => void {
  const handler = (_event: IpcRendererEvent, payload: unknown) => {
    const parsed = schema.safeParse(payload);
    if (parsed.success) listener(parsed.data);
    else console.warn(`[shoal] dropped a malformed ${channel} message`);
  };
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

// A link can arrive before the UI has subscribed (the app was launched by the link), so
// links are held here until the first onOpenLink listener appears.
const linkListeners = new Set<(address: string) => void>();
const heldLinks: string[] = [];
subscribe(OPEN_LINK_CHANNEL, LinkSchema, (link) => {
  if (linkListeners.size === 0) heldLinks.push(link);
  for (const listener of linkListeners) listener(link);
});

/**
 * The contract plus `pathForFile`, the one Electron-only extra: the filesystem path of a
 * file or folder the user dropped on the window (sandboxed pages have no File.path).
 */
type ElectronShoalApi = ShoalApi & { pathForFile(file: File): string };

const api: ElectronShoalApi = {
  host: 'electron',
  getSnapshot: () => call('getSnapshot') as Promise<StatsSnapshot>,
  startBroadcast: (request: StartBroadcast) => call('startBroadcast', request) as Promise<SessionInfo>,
  stopBroadcast: () => call('stopBroadcast') as Promise<void>,
  watch: (address: string) => call('watch', address) as Promise<SessionInfo>,
  stopWatching: () => call('stopWatching') as Promise<void>,
  getSettings: () => call('getSettings') as Promise<Settings>,
  updateSettings: (patch: SettingsPatch) => call('updateSettings', patch) as Promise<Settings>,
  pickFolder: () => call('pickFolder') as Promise<string | null>,
  openExternalPlayer: () => call('openExternalPlayer') as Promise<boolean>,
  onSnapshot: (listener: (snapshot: StatsSnapshot) => void) =>
    subscribe(SNAPSHOT_CHANNEL, StatsSnapshotSchema, listener),
  onOpenLink: (listener: (address: string) => void) => {
    linkListeners.add(listener);
    for (const link of heldLinks.splice(0)) listener(link);
    return () => {
      linkListeners.delete(listener);
    };
  },
  pathForFile: (file: File) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('shoal', api);
