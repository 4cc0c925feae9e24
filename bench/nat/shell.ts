// Runs the system tools the lab is made of (ip, nft, tc, sysctl), with the tool's own error
// message when one fails.

import { execFile } from 'node:child_process';

export class LabCommandError extends Error {}

export function sh(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const why = stderr.trim() || err.message;
        reject(new LabCommandError(`${cmd} ${args.join(' ')}: ${why}`));
      } else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs a command inside a network namespace. */
export function inNs(ns: string, cmd: string, args: string[], input?: string): Promise<string> {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], input);
}
