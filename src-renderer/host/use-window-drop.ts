// Drop a folder on the window to go live, or a shoal:// link (or paste one anywhere
// outside a text field) to watch it.

import { useEffect, useState } from 'react';
import { useUi } from '../state/ui-store';
import { useActions } from './api-context';
import { droppedFolderPath, streamLinkIn } from './dropped-folder';

function isTextField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

/** Returns whether something is being dragged over the window (to show the drop overlay). */
export function useWindowDrop(): boolean {
  const actions = useActions();
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!e.dataTransfer) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (e: DragEvent) => e.preventDefault();
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const data = e.dataTransfer;
      if (!data) return;
      const ui = useUi.getState();
      const file = data.files[0];
      if (file) {
        const folder = droppedFolderPath(file);
        ui.setPage('go-live');
        if (folder) {
          ui.setNotice(null);
          void actions.startBroadcast({ folder });
        } else {
          ui.setNotice('This window cannot read dropped folders. Type the folder path instead.');
        }
        return;
      }
      const link = streamLinkIn(data.getData('text/uri-list') || data.getData('text/plain'));
      if (link) void actions.openLink(link);
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTextField(e.target)) return;
      const link = streamLinkIn(e.clipboardData?.getData('text/plain') ?? '');
      if (link) {
        e.preventDefault();
        void actions.openLink(link);
      }
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('paste', onPaste);
    };
  }, [actions]);

  return dragging;
}
