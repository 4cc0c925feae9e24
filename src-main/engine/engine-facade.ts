// What a UI host (the Electron main process, or the CLI's browser UI server) needs from
// the engine. The engine implements it; hosts only ever see this interface.

import type {
  EngineEvent,
  SessionInfo,
  Settings,
  SettingsPatch,
  StartBroadcast,
  StatsSnapshot,
} from '../../src-shared/contract.js';

/** A response to a media request from the player (playlist or segment). */
export interface MediaResponse {
  status: number;
  contentType: string;
  body: Uint8Array | string;
  headers?: Record<string, string>;
}

export interface EngineFacade {
  getSnapshot(): StatsSnapshot;
  startBroadcast(request: StartBroadcast): Promise<SessionInfo>;
  stopBroadcast(): Promise<void>;
  watch(address: string): Promise<SessionInfo>;
  stopWatching(): Promise<void>;
  getSettings(): Settings;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  /** Returns an unsubscribe function. */
  onSnapshot(listener: (snapshot: StatsSnapshot) => void): () => void;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /**
   * Serve media (playlists/segments) for the player: path like `/stream/<id>/master.m3u8`,
   * optionally with `?_HLS_msn=<n>` (a blocking playlist reload, src-main/hls/serve/held-media.ts).
   */
  handleMedia(path: string): Promise<MediaResponse>;
}
