// Remembers the window's size, position and maximised state between launches, and puts
// the window back only where it is still visible (a monitor may have been unplugged).

import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WINDOW_DEFAULTS = { width: 1180, height: 780, minWidth: 760, minHeight: 520 } as const;

const SavedStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(WINDOW_DEFAULTS.minWidth).max(20_000),
  height: z.number().int().min(WINDOW_DEFAULTS.minHeight).max(20_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof SavedStateSchema>;

/** How much of the title bar area must be on some screen for the position to be kept. */
const MIN_VISIBLE = 100;

export interface RestoredWindow {
  bounds: Partial<Rect> & { width: number; height: number };
  maximized: boolean;
}

/**
 * Where to open the window, given what was saved (untrusted file content) and the work
 * areas of the connected displays. Falls back to the default size, centred by the OS.
 */
export function restoreWindow(saved: unknown, workAreas: readonly Rect[]): RestoredWindow {
  const fallback = {
    bounds: { width: WINDOW_DEFAULTS.width, height: WINDOW_DEFAULTS.height },
    maximized: false,
  };
  const parsed = SavedStateSchema.safeParse(saved);
  if (!parsed.success) return fallback;
  const { x, y, width, height, maximized } = parsed.data;
  const visible = workAreas.some((area) => {
    const overlapX = Math.min(x + width, area.x + area.width) - Math.max(x, area.x);
    const topInside = y >= area.y && y < area.y + area.height - MIN_VISIBLE / 2;
    return overlapX >= MIN_VISIBLE && topInside;
  });
  if (!visible) return { bounds: { width, height }, maximized };
  return { bounds: { x, y, width, height }, maximized };
}

export async function loadWindowState(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Written to a temp file and renamed, so a crash mid-write never leaves half a file. */
export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, file);
}
