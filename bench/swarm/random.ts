// Seeded randomness for the lab: the same seed gives the same segment bytes, the same
// loss pattern per node and the same churn choices (timing still varies run to run).

/** mulberry32: small, fast, seeded; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable sub-seed for one purpose (`loss`, `churn`, a node index...). */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of parts.join('/')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** `length` pseudo-random bytes, fast enough for megabytes per second. */
export function seededBytes(seed: number, length: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  let a = seed >>> 0;
  for (let i = 0; i < words.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    words[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return Buffer.from(words.buffer, 0, length);
}
