// RFC 4648 §6 base32, lower-case, without padding. Used for stream ids because it is
// case-insensitive when read aloud or typed, has no look-alike characters (0/O, 1/l), and
// a 32-byte ed25519 key fits in 52 characters.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const VALUES = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Length of the unpadded encoding of `byteLength` bytes. */
export function base32Length(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}

/**
 * Decodes unpadded base32 (either case). Returns a reason string instead of throwing so
 * callers can wrap it in their own error. Rejects non-zero trailing bits, so every byte
 * string has exactly one accepted spelling and decode(encode(x)) round-trips both ways.
 */
export function base32Decode(text: string): Uint8Array | string {
  const lower = text.toLowerCase();
  const byteLength = Math.floor((lower.length * 5) / 8);
  if (base32Length(byteLength) !== lower.length) return `${text.length} is not a valid base32 length`;
  const out = new Uint8Array(byteLength);
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < lower.length; i++) {
    const ch = lower[i] as string;
    const value = VALUES.get(ch);
    if (value === undefined)
      return `character ${JSON.stringify(text[i])} at position ${i + 1} is not base32 (a-z, 2-7)`;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return 'the last character has non-zero padding bits';
  return out;
}
