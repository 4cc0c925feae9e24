// Caps for the swarm's tables that grow with the stream (per segment, per piece): once one
// holds more than its limit, its oldest entry goes. Maps and Sets iterate in insertion
// order, so the first key is the oldest (or, for setNewest, the least recently set).

type Table = Map<unknown, unknown> | Set<unknown>;

/**
 * Drops the oldest entry if `table` holds more than `max`. Called after each insert of one
 * entry, it keeps the table at `max`.
 */
export function dropOldestOver(table: Table, max: number): void {
  if (table.size > max) table.delete(table.keys().next().value);
}

/** Sets `key` in a map kept at `max` entries; a key already present keeps its place. */
export function setCapped<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  dropOldestOver(map, max);
}

/** Sets `key` as the newest entry (moved to the end if present) of a map kept at `max`. */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  dropOldestOver(map, max);
}

/** Adds `value` to a set kept at `max` entries; a value already present keeps its place. */
export function addCapped<T>(set: Set<T>, value: T, max: number): void {
  set.add(value);
  dropOldestOver(set, max);
}
