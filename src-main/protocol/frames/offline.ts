// The OFFLINE frame (PROTOCOL §5.16): one OfflineNotice record (§6.5), nothing else.

import { OFFLINE_NOTICE_LENGTH, readOfflineNotice, writeOfflineNotice } from '../offline-notice.js';
import type { FrameBodyCodecs } from './frame-body.js';

export const offlineFrames: FrameBodyCodecs<'OFFLINE'> = {
  OFFLINE: {
    length: () => OFFLINE_NOTICE_LENGTH,
    write: (w, f) => writeOfflineNotice(w, f.notice),
    read: (r) => ({ type: 'OFFLINE', notice: readOfflineNotice(r) }),
  },
};
