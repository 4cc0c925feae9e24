// The upload limit in force (PROTOCOL §9.4), as the engine reports it in every snapshot:
// set by the user, found automatically, or none. Shown on the dashboard and in Settings.

import type { UploadCap } from '../../src-shared/contract.js';
import { describeUploadCap } from '../../src-shared/upload-cap-text.js';
import { useSession } from '../state/session-store';

export function uploadCapText(cap: UploadCap | null | undefined, broadcasting = false): string {
  if (!cap) return 'Upload limit: in force when a broadcast or watch starts';
  const text = describeUploadCap(cap, broadcasting);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function UploadCapLine() {
  const cap = useSession((s) => s.snapshot?.uploadCap ?? null);
  const broadcasting = useSession((s) => s.snapshot?.mode === 'broadcasting');
  // Unlimited is the user's choice but crowds out the rest of the line: worth a glance.
  const health = !cap ? 'fair' : cap.mode === 'none' ? 'fair' : 'good';
  return (
    <p className="reachability small" data-testid="upload-cap">
      <span className={`dot health-${health}`} aria-hidden="true" />
      {uploadCapText(cap, broadcasting)}
    </p>
  );
}
