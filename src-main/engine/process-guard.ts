// The last line of defence of a process that hosts an engine (CLI, Electron main): a
// promise rejected with nobody to handle it is a bug, and Node's default is to end the
// process for it, which would take every viewer's stream down. It is logged (paced)
// instead. Faults inside a peer session never get this far (PROTOCOL §10.8).

const FULL_LINES = 5;

let installed = false;

export function installProcessGuard(write: (line: string) => void = (l) => console.error(l)): void {
  if (installed) return;
  installed = true;
  let seen = 0;
  process.on('unhandledRejection', (reason) => {
    seen++;
    if (seen > FULL_LINES && (seen & (seen - 1)) !== 0) return; // then only at powers of two
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    write(`[shoal] unhandled promise rejection #${seen} (a bug; the engine carries on): ${text}`);
  });
}
