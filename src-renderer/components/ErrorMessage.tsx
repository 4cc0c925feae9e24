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
  /** 'bad': an error (red); 'warn': someone should act; 'info': a state to wait out. */
  tone?: 'bad' | 'warn' | 'info';
  onDismiss?: () => void;
  testId?: string;
}

export function ErrorMessage({ error, title, children, tone = 'bad', onDismiss, testId }: Props) {
  if (!error && !title && !children) return null;
  // Only errors interrupt a screen reader; warnings and states are read in turn.
  return (
    <div
      className={`alert alert-${tone}`}
      role={tone === 'bad' ? 'alert' : 'status'}
      data-testid={testId ?? 'error-message'}
    >
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
