// The upload cap in words (PROTOCOL §9.4), the same in the CLI status line, the dashboard and
// Settings.

import type { UploadCap } from './contract.js';
import { formatRate } from './format.js';

export function describeUploadCap(cap: UploadCap): string {
  switch (cap.mode) {
    case 'set':
      return `upload limit: ${formatRate(cap.bytesPerSec ?? 0)} (set in Settings)`;
    case 'auto':
      return cap.bytesPerSec === null
        ? 'upload limit: automatic, not needed yet (the line has not filled up)'
        : `upload limit: automatic, ${formatRate(cap.bytesPerSec)} (measured by filling the line)`;
    case 'none':
      return 'upload limit: none';
  }
}
