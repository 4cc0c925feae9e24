// What to do about an hls.js error. Only `fatal` errors stop playback; non-fatal ones
// are hls.js retrying on its own. A fatal media error (decoder hiccup, bad append) is
// usually cured by `recoverMediaError()` once; if it comes back, we give up and say so.

export type RecoveryAction = 'ignore' | 'recover-media' | 'fail';

export interface HlsErrorLike {
  fatal: boolean;
  type: string;
  details: string;
}

export function recoveryFor(error: HlsErrorLike, mediaRecoveriesSoFar: number): RecoveryAction {
  if (!error.fatal) return 'ignore';
  if (error.type === 'mediaError' && mediaRecoveriesSoFar === 0) return 'recover-media';
  return 'fail';
}

/** Words for a fatal error, for the overlay on the player. */
export function describeFatal(error: HlsErrorLike): string {
  if (error.type === 'networkError') {
    return 'The player could not load the stream from the engine.';
  }
  if (error.type === 'mediaError') return 'The video could not be decoded.';
  return `Playback failed (${error.details}).`;
}
