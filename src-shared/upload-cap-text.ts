// The upload cap in words (PROTOCOL §9.4), the same in the CLI status line, the dashboard and
// Settings.

import type { UploadCap } from './contract.js';
import { formatRate } from './format.js';

export function describeUploadCap(cap: UploadCap): string {
  switch (cap.mode) {
    case 'set':
      return `upload limit: ${formatRate(cap.bytesPerSec ?? 0)} (set in Settings)`;
    case 'auto':
      if (cap.bytesPerSec === null) return 'upload limit: automatic, not needed yet';
      return cap.measured
        ? `upload limit: automatic, ${formatRate(cap.bytesPerSec)} (measured by filling the line)`
        : `upload limit: automatic, ${formatRate(cap.bytesPerSec)} so far (raised while the line has room)`;
    case 'none':
      return 'upload limit: none';
  }
}
