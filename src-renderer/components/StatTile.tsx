// One headline number with its label, for rows of stats.

import type { ReactNode } from 'react';

interface Props {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  testId?: string;
  accent?: string;
  /** Says how the number is made (a tooltip on the tile). */
  title?: string;
}

export function StatTile({ label, value, detail, testId, accent, title }: Props) {
  return (
    <div className="stat-tile" title={title}>
      <div className="stat-label">
        {accent && <span className="dot" style={{ color: accent }} aria-hidden="true" />}
        {label}
      </div>
      <div className="stat-value num" data-testid={testId}>
        {value}
      </div>
      {detail !== undefined && <div className="stat-detail num">{detail}</div>}
    </div>
  );
}
