// Finding the stream a launch was asked to open. Links reach us three ways: as a
// command-line argument (Windows and Linux protocol handlers, a second instance's argv),
// through macOS `open-url`, or as a double-clicked `.shoal` file holding an address.
// These helpers only pick the text out (the last two read a .shoal file); the engine's
// address parser judges it, so a bad link still reaches the UI and gets a precise error
// message instead of silence.

import { open } from 'node:fs/promises';
import path from 'node:path';

/** Same bound as the contract's `watch` argument. */
export const MAX_LINK_LENGTH = 4096;
/** A `.shoal` file is one address and maybe a comment; anything bigger is not one. */
export const MAX_SHOAL_FILE_BYTES = 64 * 1024;

const LINK_PREFIX = /^shoal:/i;
const SHOAL_FILE = /\.shoal$/i;

/** Normalises one candidate link, or null if it is not a `shoal:` link. */
export function asShoalLink(text: string): string | null {
  let link = text.trim();
  // Some shells and launchers keep the quotes around an argument.
  if (link.length >= 2 && link.startsWith('"') && link.endsWith('"')) link = link.slice(1, -1).trim();
  if (!LINK_PREFIX.test(link) || link.length > MAX_LINK_LENGTH) return null;
  // Browsers and chat apps sometimes percent-encode the "@" and ":" of a custom-scheme link.
  if (link.includes('%')) {
    try {
      link = decodeURIComponent(link);
    } catch {
      // Leave it as it is; the address parser will say what is wrong.
    }
  }
  return link;
}

/**
 * The last `shoal:` link among command-line arguments, or null. The last one wins
 * because launchers append the link after their own arguments.
 */
export function findShoalLink(argv: readonly string[]): string | null {
  for (let i = argv.length - 1; i >= 0; i--) {
    const link = asShoalLink(argv[i] as string);
    if (link) return link;
  }
  return null;
}

/** The last argument naming a `.shoal` file (a file association launch), or null. */
export function findShoalFile(argv: readonly string[]): string | null {
  for (let i = argv.length - 1; i >= 0; i--) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') && SHOAL_FILE.test(arg)) return arg;
  }
  return null;
}

/** The address inside a `.shoal` file's text: the first line that is a link; `#` lines are comments. */
export function addressFromShoalFile(text: string): string | null {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return asShoalLink(line);
  }
  return null;
}

/** The address in a `.shoal` file, reading at most MAX_SHOAL_FILE_BYTES; null if unreadable. */
export async function readShoalFile(file: string): Promise<string | null> {
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(MAX_SHOAL_FILE_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return addressFromShoalFile(buffer.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/** The link a launch's arguments ask for: a `shoal:` link, else the address in a `.shoal` file. */
export async function linkFromLaunch(argv: readonly string[], cwd: string): Promise<string | null> {
  const link = findShoalLink(argv);
  if (link) return link;
  const file = findShoalFile(argv);
  return file ? readShoalFile(path.resolve(cwd, file)) : null;
}
