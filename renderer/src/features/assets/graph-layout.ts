import type { GraphData } from '../../state/assets-slice'

/** Distance between neighbours on a ring, and between rings, in graph units. */
export const SPACING = 26

/**
 * Where each node goes, computed here in one pass rather than by a cytoscape layout (which costs
 * seconds of main thread at thousands of nodes): rings around the centre, one group per hop, or,
 * without one, the busiest nodes (most links) innermost. A group larger than its ring spills onto
 * the next rings out.
 */
export const ringPositions = (
  graph: GraphData,
  center: string | null,
): Map<string, { x: number; y: number }> => {
  const neighbours = new Map<string, string[]>()
  for (const node of graph.nodes) neighbours.set(node.id, [])
  for (const edge of graph.edges) {
    neighbours.get(edge.source)?.push(edge.target)
    neighbours.get(edge.target)?.push(edge.source)
  }
  let groups: string[][]
  if (center && neighbours.has(center)) {
    const hop = new Map([[center, 0]])
    const queue = [center]
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head]!
      for (const next of neighbours.get(id)!)
        if (!hop.has(next)) {
          hop.set(next, hop.get(id)! + 1)
          queue.push(next)
        }
    }
    const far = Math.max(0, ...hop.values()) + 1
    groups = []
    for (const node of graph.nodes) (groups[hop.get(node.id) ?? far] ??= []).push(node.id)
    groups = groups.filter((group) => group !== undefined)
  } else {
    const byDegree = graph.nodes
      .map((node) => node.id)
      .sort((a, b) => neighbours.get(b)!.length - neighbours.get(a)!.length || (a < b ? -1 : 1))
    groups = byDegree.length > 0 ? [[byDegree[0]!], byDegree.slice(1)] : []
  }
  const positions = new Map<string, { x: number; y: number }>()
  let radius = 0
  for (const group of groups) {
    let placed = 0
    while (placed < group.length) {
      const capacity = radius === 0 ? 1 : Math.max(1, Math.floor((2 * Math.PI * radius) / SPACING))
      const ring = group.slice(placed, placed + capacity)
      ring.forEach((id, i) => {
        const angle = (2 * Math.PI * i) / ring.length
        positions.set(id, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) })
      })
      placed += ring.length
      radius += SPACING
    }
    radius += SPACING
  }
  return positions
}
