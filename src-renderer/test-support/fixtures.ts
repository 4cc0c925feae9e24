// Shared fakes for renderer tests: snapshots, peers and an in-memory ShoalApi.

import {
  DEFAULT_SETTINGS,
  type SessionInfo,
  type Settings,
  type ShoalApi,
  type StatsSnapshot,
} from '../../src-shared/contract.js';

export { makePeer, makeSnapshot } from '../../test/fakes/snapshot.js';
import { makeSnapshot } from '../../test/fakes/snapshot.js';

/** A valid address (52-character base32 stream id). */
export const VALID_ADDRESS = `shoal://${'a'.repeat(52)}@203.0.113.7:41000`;

const SESSION: SessionInfo = {
  streamId: 'a'.repeat(52),
  address: VALID_ADDRESS,
  playlistUrl: 'http://x/m.m3u8',
};

/** A ShoalApi whose calls resolve with plausible answers; tests replace what they need. */
export class FakeApi implements ShoalApi {
  host: 'electron' | 'browser' = 'browser';
  settings: Settings = { ...DEFAULT_SETTINGS };
  calls: Array<{ method: string; arg?: unknown }> = [];
  private snapshotListeners = new Set<(s: StatsSnapshot) => void>();
  private linkListeners = new Set<(a: string) => void>();

  getSnapshot = async () => makeSnapshot();
  startBroadcast = async (arg: unknown) => {
    this.calls.push({ method: 'startBroadcast', arg });
    return SESSION;
  };
  stopBroadcast = async () => void this.calls.push({ method: 'stopBroadcast' });
  watch = async (address: string) => {
    this.calls.push({ method: 'watch', arg: address });
    return SESSION;
  };
  stopWatching = async () => void this.calls.push({ method: 'stopWatching' });
  getSettings = async () => this.settings;
  updateSettings = async (patch: Partial<Settings>) => {
    this.calls.push({ method: 'updateSettings', arg: patch });
    this.settings = { ...this.settings, ...patch };
    return this.settings;
  };
  pickFolder = async (): Promise<string | null> => null;
  openExternalPlayer = async () => false;
  onSnapshot(l: (s: StatsSnapshot) => void) {
    this.snapshotListeners.add(l);
    return () => void this.snapshotListeners.delete(l);
  }
  onOpenLink(l: (a: string) => void) {
    this.linkListeners.add(l);
    return () => void this.linkListeners.delete(l);
  }
  pushSnapshot(s: StatsSnapshot) {
    for (const l of this.snapshotListeners) l(s);
  }
  pushLink(address: string) {
    for (const l of this.linkListeners) l(address);
  }
}
