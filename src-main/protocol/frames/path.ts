// The path frame: PATH_STATE (PROTOCOL §5.17), a viewer telling the broadcaster whether it has
// any other working path to the stream.

import type { FrameBodyCodecs } from './frame-body.js';

export const pathFrames: FrameBodyCodecs<'PATH_STATE'> = {
  // §5.17 PATH_STATE: state u8 (0 HAS_PATH, 1 NO_PATH; other values ignored by the receiver).
  PATH_STATE: {
    length: () => 1,
    write: (w, f) => w.u8(f.state),
    read: (r) => ({ type: 'PATH_STATE', state: r.u8('PATH_STATE') }),
  },
};
