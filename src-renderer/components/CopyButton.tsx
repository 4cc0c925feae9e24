// Copies text and says so for a moment. Falls back to a selection copy where the async
// clipboard is unavailable.

import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from './icons';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

interface Props {
  text: string;
  label?: string;
  testId?: string;
  className?: string;
}

export function CopyButton({ text, label = 'Copy', testId, className = 'btn btn-secondary' }: Props) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1600);
    return () => clearTimeout(timer);
  }, [copied]);

  return (
    <button
      type="button"
      className={className}
      data-testid={testId}
      aria-label={`${label}: ${text}`}
      onClick={() =>
        copyText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      {copied ? <CheckIcon /> : <CopyIcon />}
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </button>
  );
}
