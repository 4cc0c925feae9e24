// The filesystem path of a folder dropped on the window. Browsers never reveal it; in
// Electron (sandboxed renderer, no File.path since v32) only the preload can, through
// `webUtils.getPathForFile`, which it may expose as `window.shoal.pathForFile`.

interface PathForFile {
  pathForFile?(file: File): string;
}

export function droppedFolderPath(file: File): string | null {
  const host = window.shoal as PathForFile | undefined;
  try {
    const path = host?.pathForFile?.(file);
    return path ? path : null;
  } catch {
    return null;
  }
}

/** Text that looks like a stream link (dropped or pasted), else null. */
export function streamLinkIn(text: string): string | null {
  const trimmed = text.trim();
  return /^shoal:/i.test(trimmed) && !/\s/.test(trimmed) ? trimmed : null;
}
