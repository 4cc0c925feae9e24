// A QR code of the stream address, so a phone or a second machine can pick it up.
// Always dark on white, whatever the theme: scanners expect that.

import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

export function QrCode({ text, size = 168 }: { text: string; size?: number }) {
  const [dataUrl, setDataUrl] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    QRCode.toDataURL(text, { margin: 1, width: size * 2, errorCorrectionLevel: 'M' }).then(
      (url) => current && setDataUrl(url),
      () => current && setDataUrl(null),
    );
    return () => {
      current = false;
    };
  }, [text, size]);

  return (
    <div className="qr" style={{ width: size, height: size }}>
      {dataUrl && (
        <img src={dataUrl} width={size} height={size} alt={`QR code for ${text}`} data-testid="qr-code" />
      )}
    </div>
  );
}
