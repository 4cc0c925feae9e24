// Per-stream ed25519 identities on disk, so a restarted broadcast keeps its address.
//
// One JSON file per stream name in `<dataDir>/keys/`, mode 0600 in a 0700 folder:
//   { "version": 1, "type": "ed25519", "streamId": "<base32>", "privateKey": "<PKCS#8 PEM>" }
// The stream id is stored beside the key only as a check: a file whose key does not give
// that id is reported as corrupted instead of silently becoming a different stream.
// Keys are made and turned into raw stream ids by protocol/signing.ts.

import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, link, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateStreamKeys, rawPublicKey } from '../protocol/signing.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { streamIdFromPublicKey } from '../../src-shared/stream-address.js';
import { ensureFolder } from './ensure-folder.js';

export interface StreamIdentity {
  name: string;
  /** base32 stream id (see src-shared/stream-address.ts). */
  streamId: string;
  /** Raw 32-byte ed25519 public key: the stream id on the wire. */
  publicKey: Buffer;
  privateKey: KeyObject;
  file: string;
  /** True when this call made the key (a new address). */
  created: boolean;
}

interface KeyFile {
  version: 1;
  type: 'ed25519';
  streamId: string;
  privateKey: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class KeyStore {
  readonly folder: string;

  constructor(dataDir: string) {
    this.folder = join(dataDir, 'keys');
  }

  /** The identity stored under `name`, made (and saved) on first use. */
  async loadOrCreate(name: string): Promise<StreamIdentity> {
    const file = this.fileFor(name);
    const existing = await this.tryLoad(name, file);
    if (existing) return existing;
    await this.ensureFolder();

    const { privateKey } = generateStreamKeys();
    const identity = identityOf(name, file, privateKey, true);
    const body: KeyFile = {
      version: 1,
      type: 'ed25519',
      streamId: identity.streamId,
      privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
    // Write beside, then link into place: readers never see a half-written key, and if
    // another process made the same name meanwhile, its key wins (link fails with EEXIST).
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await link(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw ShoalError.io(`cannot save key ${file}`, err);
      const winner = await this.tryLoad(name, file);
      if (winner) return winner;
      throw ShoalError.io(`cannot save key ${file}`, err);
    } finally {
      await unlink(temp).catch(() => {});
    }
    return identity;
  }

  /** The stored identity, or null when there is none. Corrupted files throw BAD_KEY_FILE. */
  async load(name: string): Promise<StreamIdentity | null> {
    return this.tryLoad(name, this.fileFor(name));
  }

  /** Names of the stored identities, sorted. */
  async list(): Promise<string[]> {
    try {
      const files = await readdir(this.folder);
      return files
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .filter((n) => NAME.test(n))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ShoalError.io(`cannot list ${this.folder}`, err);
    }
  }

  private fileFor(name: string): string {
    if (!NAME.test(name) || name.includes('..')) {
      throw new ShoalError(
        ErrorCode.BAD_SETTINGS,
        `stream name "${name}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    return join(this.folder, `${name}.json`);
  }

  private async ensureFolder(): Promise<void> {
    await ensureFolder(this.folder, 'key folder');
  }

  private async tryLoad(name: string, file: string): Promise<StreamIdentity | null> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw ShoalError.io(`cannot read key ${file}`, err);
    }
    const { privateKey, streamId: stored } = parseKeyFile(file, text);
    const identity = identityOf(name, file, privateKey, false);
    if (stored !== identity.streamId) {
      throw ShoalError.badKeyFile(
        file,
        `its private key belongs to stream ${identity.streamId}, not ${stored}`,
      );
    }
    await tightenMode(file);
    return identity;
  }
}

function parseKeyFile(file: string, text: string): { privateKey: KeyObject; streamId: string } {
  let body: Partial<KeyFile>;
  try {
    body = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw ShoalError.badKeyFile(file, 'is not valid JSON (corrupted?)');
  }
  if (typeof body !== 'object' || body === null) throw ShoalError.badKeyFile(file, 'is not a JSON object');
  if (body.version !== 1)
    throw ShoalError.badKeyFile(file, `unknown version ${JSON.stringify(body.version)}`);
  if (body.type !== 'ed25519')
    throw ShoalError.badKeyFile(file, `unknown key type ${JSON.stringify(body.type)}`);
  if (typeof body.streamId !== 'string') throw ShoalError.badKeyFile(file, 'missing "streamId"');
  if (typeof body.privateKey !== 'string') throw ShoalError.badKeyFile(file, 'missing "privateKey"');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: body.privateKey, format: 'pem' });
  } catch {
    throw ShoalError.badKeyFile(file, '"privateKey" is not a readable PKCS#8 PEM key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw ShoalError.badKeyFile(file, `"privateKey" is a ${key.asymmetricKeyType} key, expected ed25519`);
  }
  return { privateKey: key, streamId: body.streamId };
}

function identityOf(name: string, file: string, privateKey: KeyObject, created: boolean): StreamIdentity {
  const publicKey = rawPublicKey(privateKey);
  return { name, streamId: streamIdFromPublicKey(publicKey), publicKey, privateKey, file, created };
}

/** A key readable by others is a leak waiting to happen; fix it quietly where we can. */
async function tightenMode(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
  } catch {
    // best effort: not owning the file is no reason to refuse to broadcast
  }
}
