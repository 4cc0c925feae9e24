// The stream address as the broadcaster hands it out: text, copy button and QR code.

import { CopyButton } from './CopyButton';
import { QrCode } from './QrCode';

export function AddressShare({ address }: { address: string }) {
  return (
    <div className="address-share">
      <QrCode text={address} />
      <div className="address-share-text">
        <div className="field-label" id="share-address-label">
          Stream address
        </div>
        <p className="field-hint">Viewers paste this into Shoal, or scan the code.</p>
        <code
          className="address-display mono"
          data-testid="address-display"
          aria-labelledby="share-address-label"
        >
          {address}
        </code>
        <CopyButton
          text={address}
          label="Copy address"
          testId="copy-address-button"
          className="btn btn-primary"
        />
      </div>
    </div>
  );
}
