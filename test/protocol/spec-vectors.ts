// Reads the test vectors out of docs/PROTOCOL.md §14 (format: PROTOCOL §14.1), so that the
// spec and the codec cannot drift apart without a test failing.

import { readFileSync } from 'node:fs';

export interface SpecVector {
  name: string;
  /** The JSON block, as parsed (byte strings still hex). */
  json: unknown;
  bytes: Buffer;
  decodeOnly: boolean;
}

const DOC = new URL('../../docs/PROTOCOL.md', import.meta.url);

/** Field names whose JSON values are hex byte strings (PROTOCOL §14.1). */
const BYTE_FIELDS = new Set([
  'dcid',
  'streamId',
  'sourceCid',
  'nodeId',
  'cookie',
  'sha256',
  'signature',
  'data',
  'bitmap',
  'seed',
  'hashes',
  'token',
]);

/**
 * The vectors between `<!-- <section>:begin -->` and `<!-- <section>:end -->`: `vectors` for
 * §14, `dht-vectors` for §15.5.
 */
export function readSpecVectors(markdown = readFileSync(DOC, 'utf8'), section = 'vectors'): SpecVector[] {
  const start = markdown.indexOf(`<!-- ${section}:begin -->`);
  const end = markdown.indexOf(`<!-- ${section}:end -->`);
  if (start < 0 || end < start) throw new Error(`PROTOCOL.md has no ${section} section`);
  const text = markdown.slice(start, end);
  const re = /<!-- vector: (\S+)((?: [a-z-]+)*) -->([\s\S]*?)(?=<!-- vector:|$)/g;
  const out: SpecVector[] = [];
  for (const m of text.matchAll(re)) {
    const [, name, attrs, body] = m as unknown as [string, string, string, string];
    const json = /```json\n([\s\S]*?)\n```/.exec(body);
    const hex = /```hex\n([\s\S]*?)\n```/.exec(body);
    if (!json || !hex) throw new Error(`vector ${name}: needs a json and a hex block`);
    out.push({
      name,
      json: JSON.parse(json[1]!),
      bytes: parseHexBlock(hex[1]!, name),
      decodeOnly: attrs.split(' ').includes('decode-only'),
    });
  }
  return out;
}

/** PROTOCOL §14.1: hex pairs, `#` comments, `pad-to N` lines. */
export function parseHexBlock(block: string, name = 'hex'): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const raw of block.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const pad = /^pad-to (\d+)$/.exec(line);
    if (pad) {
      const n = Number(pad[1]);
      if (n < length) throw new Error(`${name}: pad-to ${n} below current length ${length}`);
      parts.push(Buffer.alloc(n - length));
      length = n;
      continue;
    }
    for (const token of line.split(/\s+/)) {
      if (!/^([0-9a-f]{2})+$/.test(token)) throw new Error(`${name}: bad hex token "${token}"`);
      const b = Buffer.from(token, 'hex');
      parts.push(b);
      length += b.length;
    }
  }
  return Buffer.concat(parts);
}

/** JSON form → decoded form: hex strings of byte fields become Buffers. */
export function fromJson<T>(value: unknown): T {
  return convert(value, (key, v) =>
    BYTE_FIELDS.has(key) && typeof v === 'string' ? Buffer.from(v, 'hex') : v,
  ) as T;
}

/** Decoded form → JSON form: byte strings become lower-case hex, undefined fields vanish. */
export function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
      const orig = (this as Record<string, unknown>)[key];
      return orig instanceof Uint8Array ? Buffer.from(orig).toString('hex') : v;
    }),
  );
}

function convert(value: unknown, leaf: (key: string, v: unknown) => unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, leaf, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, leaf, k)]));
  }
  return leaf(key, value);
}
