import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addressFromShoalFile,
  asShoalLink,
  findShoalFile,
  findShoalLink,
  linkFromLaunch,
  MAX_LINK_LENGTH,
} from './link-args.js';

const ID = 'a'.repeat(52);
const LINK = `shoal://${ID}@192.0.2.1:4000`;

describe('findShoalLink', () => {
  it('finds a link after Electron and Chromium arguments', () => {
    const argv = ['/opt/Shoal/shoal', '--no-sandbox', '--original-process-start-time=1', LINK];
    expect(findShoalLink(argv)).toBe(LINK);
  });

  it('finds a link in a dev launch (`electron . <link>`)', () => {
    expect(findShoalLink(['/usr/bin/electron', '.', LINK])).toBe(LINK);
  });

  it('returns null when there is none', () => {
    expect(findShoalLink(['/opt/Shoal/shoal', '--flag', 'https://example.org'])).toBeNull();
    expect(findShoalLink([])).toBeNull();
  });

  it('prefers the last link', () => {
    const other = `shoal://${'b'.repeat(52)}@192.0.2.2:4000`;
    expect(findShoalLink(['x', LINK, other])).toBe(other);
  });

  it('accepts any case and the `shoal:` form without slashes', () => {
    expect(findShoalLink(['x', `SHOAL://${ID}@h:1`])).toBe(`SHOAL://${ID}@h:1`);
    expect(findShoalLink(['x', `shoal:${ID}@h:1`])).toBe(`shoal:${ID}@h:1`);
  });

  it('does not mistake other arguments that merely contain the word', () => {
    expect(findShoalLink(['x', '--shoal://nope', '/home/me/shoal:notes'])).toBeNull();
  });
});

describe('asShoalLink', () => {
  it('trims whitespace and launcher quotes', () => {
    expect(asShoalLink(`  "${LINK}" `)).toBe(LINK);
  });

  it('decodes percent-encoded links', () => {
    expect(asShoalLink(`shoal://${ID}%40192.0.2.1%3A4000`)).toBe(LINK);
  });

  it('keeps malformed percent escapes for the address parser to report', () => {
    expect(asShoalLink('shoal://%zz')).toBe('shoal://%zz');
  });

  it('rejects over-long input', () => {
    expect(asShoalLink('shoal://' + 'a'.repeat(MAX_LINK_LENGTH))).toBeNull();
  });
});

describe('.shoal files', () => {
  it('finds a .shoal file argument but not flags', () => {
    expect(findShoalFile(['app', '--x=y.shoal', 'C:\\Users\\me\\Stream.SHOAL'])).toBe(
      'C:\\Users\\me\\Stream.SHOAL',
    );
    expect(findShoalFile(['app', 'notes.txt'])).toBeNull();
  });

  it('reads the first link line, skipping comments and blank lines', () => {
    expect(addressFromShoalFile(`# my stream\r\n\r\n${LINK}\r\n`)).toBe(LINK);
  });

  it('returns null when the first content line is not a link', () => {
    expect(addressFromShoalFile('hello\n' + LINK)).toBeNull();
    expect(addressFromShoalFile('')).toBeNull();
  });
});

describe('linkFromLaunch', () => {
  it('prefers a link, else reads a .shoal file relative to the working directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'shoal-link-'));
    try {
      await writeFile(path.join(dir, 'party.shoal'), `# Friday party\n${LINK}\n`);
      expect(await linkFromLaunch(['app', 'party.shoal'], dir)).toBe(LINK);
      expect(await linkFromLaunch(['app', 'party.shoal', `shoal://${ID}@h:2`], dir)).toBe(
        `shoal://${ID}@h:2`,
      );
      expect(await linkFromLaunch(['app', 'missing.shoal'], dir)).toBeNull();
      expect(await linkFromLaunch(['app'], dir)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
