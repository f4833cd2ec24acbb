import { describe, expect, it } from 'vitest'
import type { GraphData } from '../../state/assets-slice'
import { ringPositions, SPACING } from './graph-layout'

const node = (id: string) => ({
  id,
  kind: 'host' as const,
  label: id,
  events: 1,
  alerts: 0,
  criticality: null,
  level: null,
})
const edge = (source: string, target: string) => ({ source, target, relation: 'logon' as const, events: 1 })

/** A star of `n` leaves around `hub`, with a second hop behind leaf 0. */
const star = (n: number): GraphData => ({
  nodes: [node('hub'), ...Array.from({ length: n }, (_, i) => node(`leaf${i}`)), node('far')],
  edges: [...Array.from({ length: n }, (_, i) => edge('hub', `leaf${i}`)), edge('leaf0', 'far')],
  truncated: false,
})

const radius = (p: { x: number; y: number }) => Math.hypot(p.x, p.y)

describe('ring layout', () => {
  it('puts the centre in the middle and each hop on rings further out', () => {
    const at = ringPositions(star(5), 'leaf0')
    expect(at.get('leaf0')).toEqual({ x: 0, y: 0 })
    const one = [radius(at.get('hub')!), radius(at.get('far')!)]
    expect(one[0]).toBeCloseTo(one[1]!)
    expect(radius(at.get('leaf3')!)).toBeGreaterThan(one[0]!)
  })

  it('without a centre puts the busiest node innermost, and spills a crowd onto more rings, never overlapping', () => {
    const graph = star(2000)
    const at = ringPositions(graph, null)
    expect(at.get('hub')).toEqual({ x: 0, y: 0 })
    expect(at.size).toBe(graph.nodes.length)
    const points = [...at.values()]
    const rings = new Set(points.map((p) => Math.round(radius(p))))
    expect(rings.size).toBeGreaterThan(5)
    // Neighbours on a ring sit at least SPACING apart (checked on a sample: all pairs would be slow).
    const sample = points.slice(0, 400)
    for (let i = 0; i < sample.length; i++)
      for (let j = i + 1; j < sample.length; j++)
        expect(Math.hypot(sample[i]!.x - sample[j]!.x, sample[i]!.y - sample[j]!.y)).toBeGreaterThan(
          SPACING * 0.99,
        )
  })

  it('places nodes no edge reaches too, on the outermost group', () => {
    const graph: GraphData = {
      nodes: [node('a'), node('b'), node('alone')],
      edges: [edge('a', 'b')],
      truncated: false,
    }
    const at = ringPositions(graph, 'a')
    expect(radius(at.get('alone')!)).toBeGreaterThan(radius(at.get('b')!))
  })
})
