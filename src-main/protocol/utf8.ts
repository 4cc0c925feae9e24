// Short UTF-8 texts on the wire (PROTOCOL §1.3): length-prefixed, at most
// MAX_MESSAGE_LENGTH bytes for messages. Senders cut long texts on a character boundary so that a receiver
// never sees half a code point.

/** `text` as UTF-8, cut to at most `max` bytes without splitting a code point. */
export function utf8Truncated(text: string, max: number): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= max) return b;
  let cut = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (cut > 0 && (b[cut]! & 0xc0) === 0x80) cut--;
  return b.subarray(0, cut);
}

/** Encoded length of `text` after truncation to `max` bytes. */
export function utf8TruncatedLength(text: string, max: number): number {
  const n = Buffer.byteLength(text, 'utf8');
  return n <= max ? n : utf8Truncated(text, max).length;
}
