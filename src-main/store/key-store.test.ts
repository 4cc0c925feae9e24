import { sign, verify, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signEntry, verifyEntry } from '../protocol/signing.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { publicKeyBytes } from '../../src-shared/stream-address.js';
import { KeyStore } from './key-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<ShoalError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return err as ShoalError;
  }
  throw new Error('did not throw');
}

describe('KeyStore', () => {
  it('creates a key once and returns the same identity after a restart', async () => {
    const first = await new KeyStore(dir).loadOrCreate('my-show');
    expect(first.created).toBe(true);
    expect(first.streamId).toHaveLength(52);
    expect(publicKeyBytes(first.streamId)).toEqual(new Uint8Array(first.publicKey));

    const again = await new KeyStore(dir).loadOrCreate('my-show');
    expect(again.created).toBe(false);
    expect(again.streamId).toBe(first.streamId);

    // the loaded private key signs for the same public key
    const message = Buffer.from('hello');
    expect(
      verify(null, message, createPublicKey(first.privateKey), sign(null, message, again.privateKey)),
    ).toBe(true);
    // ...and what it signs verifies against the stream id (PROTOCOL §6.1)
    const entry = signEntry(again.privateKey, first.publicKey, {
      rendition: 0,
      flags: 0,
      seq: 1,
      initSeq: null,
      durationUs: 2_000_000,
      size: 10,
      programDateTimeMs: 0,
      sha256: new Uint8Array(32),
    });
    expect(verifyEntry(publicKeyBytes(first.streamId), entry)).toBe(true);

    const other = await new KeyStore(dir).loadOrCreate('other');
    expect(other.streamId).not.toBe(first.streamId);
    expect(await new KeyStore(dir).list()).toEqual(['my-show', 'other']);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'keys'))).mode & 0o777).toBe(0o700);
  });

  it('gives one identity to concurrent first calls', async () => {
    const store = new KeyStore(dir);
    const all = await Promise.all([1, 2, 3, 4].map(() => store.loadOrCreate('race')));
    expect(new Set(all.map((i) => i.streamId)).size).toBe(1);
  });

  it('reports corrupted key files clearly and never replaces them', async () => {
    const store = new KeyStore(dir);
    const { file, streamId } = await store.loadOrCreate('show');
    const good = await readFile(file, 'utf8');

    await writeFile(file, good.slice(0, 40));
    const err = await codeOf(store.loadOrCreate('show'));
    expect(err.code).toBe(ErrorCode.BAD_KEY_FILE);
    expect(err.fatal).toBe(true);
    expect(err.message).toMatch(/not valid JSON/);
    expect(await readFile(file, 'utf8')).toBe(good.slice(0, 40));

    await writeFile(file, good.replace(/MC4CAQAw/, 'XXXXXXXX'));
    expect((await codeOf(store.load('show'))).message).toMatch(/not a readable PKCS#8/);

    await writeFile(file, good.replace(streamId, 'a'.repeat(52)));
    expect((await codeOf(store.load('show'))).message).toMatch(/belongs to stream/);

    await writeFile(file, JSON.stringify({ version: 2 }));
    expect((await codeOf(store.load('show'))).message).toMatch(/unknown version 2/);
  });

  it('rejects names that could escape the folder and tightens loose permissions', async () => {
    const store = new KeyStore(dir);
    for (const name of ['../evil', '', '.hidden', 'a/b', 'x'.repeat(65)]) {
      expect((await codeOf(store.loadOrCreate(name))).code).toBe(ErrorCode.BAD_SETTINGS);
    }
    const { file } = await store.loadOrCreate('loose');
    await chmod(file, 0o644);
    await store.load('loose');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await store.load('absent')).toBeNull();
  });
});
