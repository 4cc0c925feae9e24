// Reconnect delays for the engine socket: quick at first (the engine is usually just
// restarting), then capped so a stopped engine costs one attempt every few seconds.

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/** Delay before reconnect attempt `attempt` (0-based), with ±20 % jitter. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.8 + 0.4 * random()));
}
