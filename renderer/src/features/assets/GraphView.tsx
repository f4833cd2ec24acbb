import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from 'cytoscape'
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AssetKind, GraphNode } from '../../../../collector/contract'
import { ASSET_KINDS } from '../../state/assets-slice'
import type { GraphData } from '../../state/assets-slice'
import { useAppStore } from '../../state/store'
import { ringPositions } from './graph-layout'
import { assetHref, graphHref, KIND_LABEL } from './labels'

/** Colours per kind: distinct on the dark and the light theme; the legend says which is which. */
const KIND_COLOR: Record<GraphNode['kind'], string> = {
  host: '#4ea1ff',
  ip: '#3fb950',
  user: '#d2a8ff',
  process: '#d29922',
  service: '#39c5cf',
  alert: '#f85149',
}
const KIND_SHAPE: Record<GraphNode['kind'], cytoscape.Css.NodeShape> = {
  host: 'round-rectangle',
  ip: 'ellipse',
  user: 'diamond',
  process: 'hexagon',
  service: 'barrel',
  alert: 'triangle',
}
/** Past this many nodes the graph draws cheaply while it moves (no edges, a cached bitmap). */
const LARGE = 800

const style = (text: string, large: boolean): StylesheetJson => [
  {
    selector: 'node',
    style: {
      'background-color': (node: cytoscape.NodeSingular) =>
        KIND_COLOR[node.data('kind') as GraphNode['kind']],
      shape: (node: cytoscape.NodeSingular) => KIND_SHAPE[node.data('kind') as GraphNode['kind']],
      width: 'data(size)',
      height: 'data(size)',
      label: 'data(label)',
      color: text,
      'font-size': 10,
      'text-valign': 'bottom',
      'text-margin-y': 3,
      'min-zoomed-font-size': 9,
      'text-max-width': '140px',
      'text-wrap': 'ellipsis',
    },
  },
  { selector: 'node[?critical]', style: { 'border-width': 3, 'border-color': '#f85149' } },
  {
    selector: 'node:selected',
    style: { 'border-width': 3, 'border-color': '#ffffff', 'overlay-opacity': 0.15 },
  },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': '#5b6b7a',
      'curve-style': 'haystack',
      // Thousands of edges: faint, so the nodes and the selection stay readable.
      opacity: large ? 0.18 : 0.6,
    },
  },
  { selector: 'edge[relation = "alert"]', style: { 'line-color': '#f85149', 'line-style': 'dashed' } },
]

const elementsOf = (
  graph: GraphData,
  positions: Map<string, { x: number; y: number }>,
): ElementDefinition[] => {
  const top = Math.max(1, ...graph.nodes.map((n) => n.events))
  return [
    ...graph.nodes.map((node) => ({
      group: 'nodes' as const,
      position: positions.get(node.id) ?? { x: 0, y: 0 },
      data: {
        id: node.id,
        kind: node.kind,
        label: node.label,
        // Size grows with activity, on a log scale so one noisy host does not dwarf the rest.
        size: 14 + 22 * (Math.log1p(node.events) / Math.log1p(top)),
        critical: node.criticality === 'critical' || node.criticality === 'high',
      },
    })),
    ...graph.edges.map((edge) => ({
      group: 'edges' as const,
      data: {
        id: `${edge.source}|${edge.relation}|${edge.target}`,
        source: edge.source,
        target: edge.target,
        relation: edge.relation,
        width: 1 + Math.min(4, Math.log10(1 + edge.events)),
      },
    })),
  ]
}

/** Overviews this small are laid out by force (cose), starting from the rings. */
const SMALL = 300

/** The cytoscape canvas: rebuilt when the graph changes, never re-rendered by React. */
const GraphCanvas = ({
  graph,
  center,
  selected,
  focus,
  onSelect,
}: {
  graph: GraphData
  center: string | null
  selected: string | null
  /** A new object each time the analyst asks to go to a node. */
  focus: { id: string } | null
  onSelect: (id: string | null) => void
}) => {
  const container = useRef<HTMLDivElement>(null)
  const cyRef = useRef<Core | null>(null)
  const [laidOut, setLaidOut] = useState(false)
  const onSelectRef = useRef(onSelect)
  useEffect(() => {
    onSelectRef.current = onSelect
  })

  useEffect(() => {
    if (!container.current) return
    const large = graph.nodes.length > LARGE
    const text = getComputedStyle(document.documentElement).getPropertyValue('--text').trim() || '#e6edf3'
    setLaidOut(false)
    const cy = cytoscape({
      container: container.current,
      elements: elementsOf(graph, ringPositions(graph, center)),
      style: style(text, large),
      layout: { name: 'preset' },
      minZoom: 0.05,
      maxZoom: 4,
      pixelRatio: 1,
      motionBlur: false,
      textureOnViewport: large,
      hideEdgesOnViewport: large,
      hideLabelsOnViewport: large,
      boxSelectionEnabled: false,
    })
    cyRef.current = cy
    cy.on('tap', 'node', (e) => onSelectRef.current((e.target as cytoscape.NodeSingular).id()))
    cy.on('tap', (e) => {
      if (e.target === cy) onSelectRef.current(null)
    })
    let frame = 0
    if (!center && graph.nodes.length <= SMALL) {
      // A few hundred nodes: a force-directed layout shows their clusters, in well under a second.
      const layout = cy.layout({ name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 8000 })
      layout.one('layoutstop', () => {
        cy.fit(undefined, 30)
        setLaidOut(true)
      })
      layout.run()
    } else {
      cy.fit(undefined, 30)
      // Drawn on the next frame: only then is the layout done for whoever waits on it.
      frame = requestAnimationFrame(() => setLaidOut(true))
    }
    // The panel beside it opens and closes: the canvas follows its box.
    const resized = new ResizeObserver(() => cy.resize())
    resized.observe(container.current)
    return () => {
      cancelAnimationFrame(frame)
      resized.disconnect()
      cyRef.current = null
      cy.destroy()
    }
  }, [graph, center])

  useEffect(() => {
    const cy = cyRef.current
    if (!cy || !laidOut) return
    cy.nodes(':selected').unselect()
    if (!selected) return
    const node = cy.getElementById(selected)
    if (node.empty()) return
    node.select()
    const box = cy.extent()
    const p = node.position()
    if (p.x < box.x1 || p.x > box.x2 || p.y < box.y1 || p.y > box.y2) cy.center(node)
  }, [selected, laidOut])

  // A node found by name is brought close: zoomed to where labels show, centred.
  useEffect(() => {
    const cy = cyRef.current
    if (!cy || !laidOut || !focus) return
    const node = cy.getElementById(focus.id)
    if (node.empty()) return
    cy.zoom(Math.max(cy.zoom(), 1.5))
    cy.center(node)
  }, [focus, laidOut])

  return (
    <div
      ref={container}
      className="graph-canvas"
      role="img"
      aria-label={`Entity graph: ${graph.nodes.length} nodes, ${graph.edges.length} links`}
      data-nodes={graph.nodes.length}
      data-edges={graph.edges.length}
      data-layout={laidOut ? 'done' : 'running'}
    />
  )
}

const NodePanel = ({ node, graph }: { node: GraphNode; graph: GraphData }) => {
  const degree = graph.edges.filter((e) => e.source === node.id || e.target === node.id).length
  const isAsset = node.kind !== 'alert'
  return (
    <aside className="graph-panel" aria-label="Selected node">
      <span className="kind-badge" data-kind={node.kind}>
        {node.kind === 'alert' ? 'Alert' : KIND_LABEL[node.kind]}
      </span>
      <h3 className="mono">{node.label}</h3>
      <dl className="kv">
        <dt>Events</dt>
        <dd>{node.events.toLocaleString()}</dd>
        {isAsset && (
          <>
            <dt>Alerts</dt>
            <dd>{node.alerts.toLocaleString()}</dd>
          </>
        )}
        {node.level && (
          <>
            <dt>Level</dt>
            <dd>{node.level}</dd>
          </>
        )}
        <dt>Links shown</dt>
        <dd>{degree.toLocaleString()}</dd>
      </dl>
      {isAsset && (
        <p className="graph-panel-actions">
          <a href={assetHref(node.id)}>Open asset page</a>
          <a href={graphHref(node.id)}>Centre the graph here</a>
        </p>
      )}
      {node.kind === 'alert' && <a href="#/alerts">Open alerts</a>}
    </aside>
  )
}

/**
 * The entity graph: hosts, addresses, users, processes, services and the alerts on them. Keyed by
 * `center` where it is used, so a new centre starts with it selected.
 */
export const GraphView = ({ center }: { center: string | null }) => {
  const s = useAppStore(
    useShallow((state) => ({
      graph: state.graph,
      query: state.graphQuery,
      loading: state.graphLoading,
      error: state.graphError,
      load: state.loadGraph,
    })),
  )
  const { load } = s
  useEffect(() => void load({ center }), [load, center])
  const [selected, setSelected] = useState<string | null>(center)
  const [focus, setFocus] = useState<{ id: string } | null>(null)
  const [find, setFind] = useState('')
  const [findError, setFindError] = useState<string | null>(null)
  const graph = s.graph
  const byId = useMemo(() => new Map(graph?.nodes.map((n) => [n.id, n]) ?? []), [graph])
  const selectedNode = selected ? (byId.get(selected) ?? null) : null

  const onFind = (e: FormEvent) => {
    e.preventDefault()
    const needle = find.trim().toLowerCase()
    if (!needle || !graph) return
    const found =
      graph.nodes.find((n) => n.label.toLowerCase() === needle) ??
      graph.nodes.find((n) => n.label.toLowerCase().includes(needle))
    setFindError(found ? null : `no node shown matches "${find.trim()}"`)
    if (found) {
      setSelected(found.id)
      setFocus({ id: found.id })
    }
  }
  const toggleKind = (kind: AssetKind) => {
    const kinds = s.query.kinds.includes(kind)
      ? s.query.kinds.filter((k) => k !== kind)
      : [...s.query.kinds, kind]
    void load({ kinds })
  }

  return (
    <section className="graph-view" aria-label="Entity graph">
      <div className="filters" role="search" aria-label="Graph options">
        <form onSubmit={onFind} className="inline-form">
          <input
            type="search"
            aria-label="Find a node"
            placeholder="Find a node…"
            value={find}
            onChange={(e) => setFind(e.target.value)}
          />
          <button type="submit">Find</button>
        </form>
        {findError && (
          <span className="error" role="alert">
            {findError}
          </span>
        )}
        <fieldset className="chips">
          <legend className="muted">Kinds</legend>
          {ASSET_KINDS.map((kind) => (
            <label key={kind} className="chip">
              <input
                type="checkbox"
                checked={s.query.kinds.length === 0 || s.query.kinds.includes(kind)}
                onChange={() =>
                  s.query.kinds.length === 0
                    ? void load({ kinds: ASSET_KINDS.filter((k) => k !== kind) })
                    : toggleKind(kind)
                }
              />
              <span className="legend-swatch" style={{ background: KIND_COLOR[kind] }} aria-hidden="true" />
              {KIND_LABEL[kind]}
            </label>
          ))}
          <label className="chip">
            <input
              type="checkbox"
              checked={s.query.alerts}
              onChange={() => void load({ alerts: !s.query.alerts })}
            />
            <span className="legend-swatch" style={{ background: KIND_COLOR.alert }} aria-hidden="true" />
            Alerts
          </label>
        </fieldset>
        {center && (
          <label>
            <span className="muted">Hops </span>
            <select value={s.query.depth} onChange={(e) => void load({ depth: Number(e.target.value) })}>
              {[1, 2, 3].map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          <span className="muted">Nodes at most </span>
          <select value={s.query.limit} onChange={(e) => void load({ limit: Number(e.target.value) })}>
            {[500, 2000, 5000, 10_000].map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString()}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void load()}>
          Reload
        </button>
        {center && <a href={graphHref()}>Whole graph</a>}
        {s.loading && <span className="muted">loading…</span>}
        {graph?.truncated && (
          <span className="muted" role="status">
            showing the {graph.nodes.length.toLocaleString()} busiest; raise the limit or centre on an asset
          </span>
        )}
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {graph && graph.nodes.length === 0 ? (
        <section className="empty" aria-label="No assets">
          <h2>Nothing to draw yet</h2>
          <p className="muted">
            Hosts, addresses, users, processes and services appear here as events name them.
          </p>
        </section>
      ) : (
        graph && (
          <div className="graph-layout" data-detail={selectedNode !== null}>
            <GraphCanvas
              graph={graph}
              center={center}
              selected={selected}
              focus={focus}
              onSelect={setSelected}
            />
            {selectedNode && <NodePanel node={selectedNode} graph={graph} />}
          </div>
        )
      )}
    </section>
  )
}
