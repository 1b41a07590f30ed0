/**
 * The order in which `items` run in each of `rounds` rounds: the list rotated by one per round, so
 * no contestant always goes first (warm caches, a neighbour's load) and each runs beside the
 * others within the same minutes.
 *
 * @example
 * rotations(['a', 'b', 'c'], 3) // [['a','b','c'], ['b','c','a'], ['c','a','b']]
 */
export function rotations<T>(items: readonly T[], rounds: number): T[][] {
  return Array.from({ length: rounds }, (_, round) =>
    items.map((_, i) => items[(i + round) % items.length] as T),
  )
}
