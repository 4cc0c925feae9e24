// The upload limit in force (PROTOCOL §9.4), as the engine reports it in every snapshot:
// set by the user, found automatically, or none. Shown on the dashboard and in Settings.

import type { UploadCap } from '../../src-shared/contract.js';
import { describeUploadCap } from '../../src-shared/upload-cap-text.js';
import { useSession } from '../state/session-store';

export function uploadCapText(cap: UploadCap | null | undefined): string {
  if (!cap) return 'Upload limit: in force when a broadcast or watch starts';
  const text = describeUploadCap(cap);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function UploadCapLine() {
  const cap = useSession((s) => s.snapshot?.uploadCap ?? null);
  return (
    <p className="reachability small" data-testid="upload-cap">
      {uploadCapText(cap)}
    </p>
  );
}
