// Our own reachability (README "Port mapping"): whether the router maps our port, as the
// engine reports it in every snapshot. Shown on the dashboard and in Settings.

import type { Reachability } from '../../src-shared/contract.js';
import { describeReachability } from '../../src-shared/reachability-text.js';
import { useSession } from '../state/session-store';

const HEALTH: Record<Reachability['kind'], 'good' | 'fair' | 'poor'> = {
  mapped: 'good',
  public: 'good',
  checking: 'fair',
  unmapped: 'poor',
  off: 'fair',
};

export function reachabilityText(r: Reachability | null | undefined): string {
  if (!r) return 'Reachable: checked when a broadcast or watch starts';
  const text = describeReachability(r);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function ReachabilityLine() {
  const r = useSession((s) => s.snapshot?.reachability ?? null);
  return (
    <p className="reachability small" data-testid="reachability">
      <span className={`dot health-${r ? HEALTH[r.kind] : 'fair'}`} aria-hidden="true" />
      {reachabilityText(r)}
    </p>
  );
}
