// An error or warning the user should read: what went wrong, in the engine's words. The
// error's code is for bug reports and support, behind a "Details" disclosure.

import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../src-shared/contract.js';
import { AlertIcon } from './icons';

interface Props {
  error?: ErrorInfo | null;
  /** Shown instead of (or when there is no) ErrorInfo. */
  title?: string;
  children?: ReactNode;
  tone?: 'bad' | 'warn';
  onDismiss?: () => void;
}

export function ErrorMessage({ error, title, children, tone = 'bad', onDismiss }: Props) {
  if (!error && !title && !children) return null;
  return (
    <div className={`alert alert-${tone}`} role="alert" data-testid="error-message">
      <AlertIcon className="alert-icon" />
      <div className="alert-body">
        {title && <div className="alert-title">{title}</div>}
        {error && <div className="alert-text">{error.message}</div>}
        {children && <div className="alert-text">{children}</div>}
        {error && (
          <details className="alert-code">
            <summary>Details</summary>
            <span className="mono">
              {error.codeName} (code {error.code})
            </span>
          </details>
        )}
      </div>
      {onDismiss && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}
