// Why the stream is not moving, in words a viewer or broadcaster can act on (issue 17 §3):
// "Broadcaster offline — waiting", "Encoder stalled", "Stream ended". These are states of the
// stream, not errors: they are shown in a calm style, and the red box stays for errors.

import type { StatsSnapshot } from '../../src-shared/contract.js';

export interface Outage {
  kind: 'broadcaster-stopped' | 'broadcaster-silent' | 'encoder-stalled' | 'ended' | 'broadcast-ended';
  title: string;
  /** What happened. */
  text: string;
  /** What the user can do about it. */
  action: string;
  /** 'info': nothing is wrong on this side, wait; 'warn': someone should act. */
  tone: 'info' | 'warn';
}

export function outageOf(snapshot: StatsSnapshot | null): Outage | null {
  if (!snapshot) return null;
  if (snapshot.mode === 'watching') {
    if (snapshot.state === 'ended')
      return {
        kind: 'ended',
        title: 'Stream ended',
        text: 'The broadcaster ended this stream: nothing more will come.',
        action: 'Watch another stream, or paste this address again when the broadcaster says it is back.',
        tone: 'info',
      };
    if (snapshot.state !== 'broadcaster-offline') return null;
    switch (snapshot.offlineCause) {
      case 'stopped':
        return {
          kind: 'broadcaster-stopped',
          title: 'Broadcaster offline — waiting',
          text: 'The broadcaster stopped the stream.',
          action:
            'Keep this page open: playback goes on by itself when it goes live again at this address. Or press Stop.',
          tone: 'info',
        };
      case 'encoder':
        return {
          kind: 'encoder-stalled',
          title: 'Encoder stalled',
          text: 'The broadcaster is online, but its encoder (OBS, ffmpeg) has sent nothing new for a while.',
          action:
            'Nothing to do here: playback goes on by itself when the encoder runs again. If it lasts, tell the broadcaster.',
          tone: 'info',
        };
      default:
        return {
          kind: 'broadcaster-silent',
          title: 'Broadcaster offline — waiting',
          text: 'Nothing new has come from the broadcaster for a while: it may have lost its connection, or its encoder stopped.',
          action:
            'Shoal keeps asking and plays on by itself as soon as the stream comes back. If it lasts, ask the broadcaster whether Shoal is still running.',
          tone: 'info',
        };
    }
  }
  if (snapshot.mode === 'broadcasting') {
    if (snapshot.state === 'ended')
      return {
        kind: 'broadcast-ended',
        title: 'Stream ended',
        text: 'The encoder ended the playlist (it wrote an end marker), so viewers see the stream as over.',
        action: 'Stop the broadcast, then go live again to start a new one.',
        tone: 'info',
      };
    if (snapshot.broadcast?.stalled)
      return {
        kind: 'encoder-stalled',
        title: 'Encoder stalled',
        text: `The playlist has stopped growing: no new segments have appeared in ${snapshot.broadcast.folder}.`,
        action:
          'Check that OBS or ffmpeg is still running and writing into this folder. Viewers wait and play on by themselves when segments come again.',
        tone: 'warn',
      };
  }
  return null;
}
