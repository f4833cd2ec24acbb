// Small text helpers shared by the renderers.
import type { Tlp } from './model'

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** "TLP:AMBER+STRICT", as FIRST writes the labels. */
export function tlpLabel(tlp: Tlp): string {
  return `TLP:${tlp.toUpperCase()}`
}

/** What each TLP 2.0 label allows, in FIRST's words (shortened). */
export const TLP_MEANING: Record<Tlp, string> = {
  clear: 'Disclosure is not limited.',
  green: 'Limited disclosure, recipients can spread this within their community.',
  amber:
    'Limited disclosure, recipients can only spread this on a need-to-know basis within their organization and its clients.',
  'amber+strict': 'Limited disclosure, restricted to the recipient organization only.',
  red: 'For the eyes and ears of individual recipients only, no further disclosure.',
}
