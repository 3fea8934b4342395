/**
 * What the "Done when" asks for, from what a consumer received and what the database
 * says was produced: every event at least once, in order, duplicates told apart by id.
 */
export interface DeliveryCounts {
  produced: number;
  delivered: number;
  duplicated: number;
  lost: number;
  outOfOrder: number;
}

/** `produced`: event ids in the order their changes happened; `received`: ids as they came. */
export function deliveryCounts(produced: string[], received: string[]): DeliveryCounts {
  const firstSeen = [...new Set(received)];
  const delivered = new Set(received);
  const position = new Map(produced.map((id, index) => [id, index]));
  let outOfOrder = 0;
  let last = -1;
  for (const id of firstSeen) {
    const at = position.get(id);
    if (at === undefined) continue;
    if (at < last) outOfOrder++;
    last = Math.max(last, at);
  }
  return {
    produced: produced.length,
    delivered: produced.filter((id) => delivered.has(id)).length,
    duplicated: received.length - firstSeen.length,
    lost: produced.filter((id) => !delivered.has(id)).length,
    outOfOrder,
  };
}
