// One status for the badge, from the engine's snapshot and what the UI is doing.
// Order matters: a dead link to the engine hides everything else, and a request in
// flight says "connecting" before the engine's first snapshot says more.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import type { ConnectionState } from '../host/ws-api';
import type { BusyAction } from './ui-store';

export type StatusKind =
  | 'offline'
  | 'idle'
  | 'connecting'
  | 'buffering'
  | 'playing'
  | 'broadcaster-offline'
  | 'live'
  | 'stalled'
  | 'ended'
  | 'not-found'
  | 'full'
  | 'invalid-address'
  | 'error';

export type StatusTone = 'neutral' | 'info' | 'good' | 'warn' | 'bad';

export interface SessionStatus {
  kind: StatusKind;
  label: string;
  tone: StatusTone;
}

const STATUS: Record<StatusKind, Omit<SessionStatus, 'kind'>> = {
  offline: { label: 'Engine offline', tone: 'bad' },
  idle: { label: 'Not playing', tone: 'neutral' },
  connecting: { label: 'Connecting', tone: 'info' },
  buffering: { label: 'Buffering', tone: 'warn' },
  playing: { label: 'Playing', tone: 'good' },
  'broadcaster-offline': { label: 'Broadcaster offline — waiting', tone: 'warn' },
  live: { label: 'Live', tone: 'good' },
  stalled: { label: 'Playlist stalled', tone: 'warn' },
  ended: { label: 'Stream ended', tone: 'neutral' },
  'not-found': { label: 'Stream not found', tone: 'bad' },
  full: { label: 'Broadcaster full — retrying', tone: 'warn' },
  'invalid-address': { label: 'Invalid address', tone: 'bad' },
  error: { label: 'Error', tone: 'bad' },
};

export interface StatusInput {
  snapshot: StatsSnapshot | null;
  connection: ConnectionState;
  busy: BusyAction | null;
  addressError: string | null;
}

function status(kind: StatusKind): SessionStatus {
  return { kind, ...STATUS[kind] };
}

export function sessionStatus({ snapshot, connection, busy, addressError }: StatusInput): SessionStatus {
  if (connection === 'closed') return status('offline');
  if (busy === 'watch' || busy === 'broadcast') return status('connecting');
  if (!snapshot) return status(connection === 'connecting' ? 'connecting' : 'idle');

  if (snapshot.mode === 'broadcasting') {
    if (snapshot.state === 'error') return status('error');
    if (snapshot.broadcast?.stalled) return status('stalled');
    return status(snapshot.state === 'ended' ? 'ended' : 'live');
  }

  if (snapshot.mode === 'idle' && addressError) return status('invalid-address');
  switch (snapshot.state) {
    case 'connecting':
      return status('connecting');
    case 'buffering':
      return status('buffering');
    case 'playing':
      return status('playing');
    case 'broadcaster-offline':
      return status('broadcaster-offline');
    case 'ended':
      return status('ended');
    case 'not-found':
      return status('not-found');
    case 'full':
      return status('full');
    case 'error':
      return status('error');
    case 'idle':
      return status(snapshot.mode === 'watching' ? 'connecting' : 'idle');
  }
}
