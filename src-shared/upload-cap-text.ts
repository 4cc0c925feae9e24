// The upload cap in words (PROTOCOL §9.4), the same in the CLI status line, the dashboard and
// Settings.

import type { UploadCap } from './contract.js';
import { formatRate } from './format.js';

/** `broadcasting`: a broadcaster finds no limit by itself (PROTOCOL §9.4), so say what to do. */
export function describeUploadCap(cap: UploadCap, broadcasting = false): string {
  switch (cap.mode) {
    case 'set':
      return `upload limit: ${formatRate(cap.bytesPerSec ?? 0)} (set in Settings)`;
    case 'auto':
      return cap.bytesPerSec === null
        ? 'upload limit: automatic, not needed yet (the line has not filled up)'
        : `upload limit: automatic, ${formatRate(cap.bytesPerSec)} (measured by filling the line)`;
    case 'none':
      return broadcasting
        ? 'upload limit: none (set one, about 90% of your upload, so rescues never crowd your line)'
        : 'upload limit: none';
  }
}
