// EXT-X-PROGRAM-DATE-TIME for segments whose playlist has none (RFC 8216 §4.3.2.6), so that
// every segment a broadcaster signs carries the wall clock of its first frame (PROTOCOL §6.1
// programDateTimeMs) and a player can say how far behind the broadcaster it is.

export interface DatedSegment {
  programDateTimeMs: number;
  durationUs: number;
}

/**
 * The date of a segment's first frame: when the encoder finished writing it (the file's
 * modification time; for a replayed VOD, the moment it is published) less its duration.
 * Dates go forward: without a discontinuity, never before the previous segment's end.
 */
export function stampProgramDate(
  durationUs: number,
  finishedAtMs: number,
  previous: DatedSegment | null,
  discontinuity: boolean,
): number {
  const stamped = Math.round(finishedAtMs - durationUs / 1000);
  if (previous === null || discontinuity) return stamped;
  return Math.max(stamped, previous.programDateTimeMs + Math.round(previous.durationUs / 1000));
}
