// The document's techniques as an ATT&CK Navigator layer (layer format 4.5), scored by alert count.
import type { ExportDocument } from './model'

export type NavigatorTechnique = {
  techniqueID: string
  score?: number
  comment: string
  enabled: boolean
  showSubtechniques: boolean
}
export type NavigatorLayer = {
  name: string
  description: string
  versions: { attack: string; navigator: string; layer: string }
  domain: 'enterprise-attack'
  sorting: number
  hideDisabled: boolean
  techniques: NavigatorTechnique[]
  gradient: { colors: string[]; minValue: number; maxValue: number }
  legendItems: { label: string; color: string }[]
  metadata: { name: string; value: string }[]
  showTacticRowBackground: boolean
  selectTechniquesAcrossTactics: boolean
  selectSubtechniquesWithParent: boolean
  selectVisibleTechniques: boolean
}

export function toNavigatorLayer(doc: ExportDocument): NavigatorLayer {
  const listed = new Set(doc.techniques.map((t) => t.id))
  const parents = new Set(
    doc.techniques.filter((t) => t.id.includes('.')).map((t) => t.id.split('.')[0] ?? t.id),
  )
  return {
    name: doc.title,
    description: `${doc.kind === 'incident' ? 'Incident' : 'Report'} ${doc.id} v${doc.version}, ${doc.organization} (TLP:${doc.tlp.toUpperCase()})`,
    versions: { attack: '18', navigator: '5.1.0', layer: '4.5' },
    domain: 'enterprise-attack',
    sorting: 3, // by score, descending
    hideDisabled: false,
    techniques: [
      ...doc.techniques.map((t) => ({
        techniqueID: t.id,
        score: t.alerts,
        comment: `${t.alerts} alert${t.alerts === 1 ? '' : 's'}${t.tactics.length > 0 ? `; ${t.tactics.join(', ')}` : ''}`,
        enabled: true,
        // Open a parent whose sub-technique was seen, so the scored cell is visible.
        showSubtechniques: parents.has(t.id),
      })),
      // A parent that was not itself seen still gets an unscored entry, only to open it.
      ...[...parents]
        .filter((p) => !listed.has(p))
        .map((p) => ({ techniqueID: p, comment: '', enabled: true, showSubtechniques: true })),
    ],
    gradient: {
      colors: ['#fff7b3ff', '#ff6e4aff'],
      minValue: 0,
      maxValue: Math.max(1, ...doc.techniques.map((t) => t.alerts)),
    },
    legendItems: [],
    metadata: [
      { name: 'id', value: doc.id },
      { name: 'tlp', value: `TLP:${doc.tlp.toUpperCase()}` },
    ],
    showTacticRowBackground: false,
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
  }
}
