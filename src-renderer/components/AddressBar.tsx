// Where a viewer pastes a stream address. Validated here with the same parser the engine
// uses, so a typo is explained at once instead of after a failed connection attempt.

import { useId, type FormEvent } from 'react';
import { useActions } from '../host/api-context';
import { useUi } from '../state/ui-store';
import { LinkIcon, PlayIcon } from './icons';

export function AddressBar() {
  const actions = useActions();
  const draft = useUi((s) => s.addressDraft);
  const setDraft = useUi((s) => s.setAddressDraft);
  const addressError = useUi((s) => s.addressError);
  const setAddressError = useUi((s) => s.setAddressError);
  const busy = useUi((s) => s.busy === 'watch');
  const errorId = useId();
  const inputId = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void actions.watch(draft);
  };

  return (
    <form className="address-bar" onSubmit={submit} noValidate>
      <label htmlFor={inputId} className="visually-hidden">
        Stream address
      </label>
      <div className="address-input-wrap">
        <LinkIcon className="address-input-icon" />
        <input
          id={inputId}
          className="input address-input mono"
          data-testid="address-input"
          placeholder="shoal://… (from the broadcaster)"
          value={draft}
          spellCheck={false}
          autoComplete="off"
          autoCapitalize="off"
          aria-invalid={addressError ? 'true' : 'false'}
          aria-describedby={addressError ? errorId : undefined}
          onChange={(e) => {
            setDraft(e.target.value);
            // Stop complaining as soon as the user starts fixing it.
            if (addressError) setAddressError(null);
          }}
        />
      </div>
      <button type="submit" className="btn btn-primary btn-lg" data-testid="watch-button" disabled={busy}>
        {busy ? <span className="spinner" aria-hidden="true" /> : <PlayIcon />}
        Watch
      </button>
      {addressError && (
        <p id={errorId} className="field-error address-error" data-testid="address-error" role="alert">
          {addressError}
        </p>
      )}
    </form>
  );
}
