import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWindowState, restoreWindow, saveWindowState, WINDOW_DEFAULTS } from './window-state.js';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1050 };
const RIGHT_SCREEN = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('restoreWindow', () => {
  it('restores a window that is on a screen', () => {
    const saved = { x: 100, y: 80, width: 1000, height: 700, maximized: true };
    expect(restoreWindow(saved, [SCREEN])).toEqual({
      bounds: { x: 100, y: 80, width: 1000, height: 700 },
      maximized: true,
    });
  });

  it('keeps the size but lets the OS place a window whose monitor is gone', () => {
    const saved = { x: 2200, y: 100, width: 1000, height: 700, maximized: false };
    expect(restoreWindow(saved, [SCREEN, RIGHT_SCREEN]).bounds).toEqual({
      x: 2200,
      y: 100,
      width: 1000,
      height: 700,
    });
    expect(restoreWindow(saved, [SCREEN])).toEqual({
      bounds: { width: 1000, height: 700 },
      maximized: false,
    });
  });

  it('does not restore a title bar above the top of the screen', () => {
    const saved = { x: 100, y: -500, width: 1000, height: 700, maximized: false };
    expect(restoreWindow(saved, [SCREEN]).bounds.x).toBeUndefined();
  });

  it('uses defaults for missing or tampered state', () => {
    const defaults = {
      bounds: { width: WINDOW_DEFAULTS.width, height: WINDOW_DEFAULTS.height },
      maximized: false,
    };
    expect(restoreWindow(null, [SCREEN])).toEqual(defaults);
    expect(restoreWindow({ x: 0, y: 0, width: 10, height: 10, maximized: false }, [SCREEN])).toEqual(
      defaults,
    );
    expect(restoreWindow({ x: 'a' }, [SCREEN])).toEqual(defaults);
  });
});

describe('window state file', () => {
  it('round-trips and tolerates a corrupt file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'shoal-window-'));
    try {
      const file = path.join(dir, 'window-state.json');
      expect(await loadWindowState(file)).toBeNull();
      const state = { x: 1, y: 2, width: 900, height: 600, maximized: false };
      await saveWindowState(file, state);
      expect(await loadWindowState(file)).toEqual(state);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(state);
      await writeFile(file, '{not json');
      expect(await loadWindowState(file)).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
