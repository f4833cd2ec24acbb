// TLP on STIX objects: which level a marking stands for, and what a ceiling lets through.
import { TLP2_MARKING_IDS } from '../../workspace/export/stix'
import { TLP_ORDER, type TlpLevel } from './config'

/** TLP 2.0 marking definitions (OASIS) and the STIX 2.1 spec's TLP 1.0 ones (WHITE is CLEAR). */
const MARKING_TLP: ReadonlyMap<string, TlpLevel> = new Map<string, TlpLevel>([
  ...(Object.entries(TLP2_MARKING_IDS) as Array<[TlpLevel, string]>).map(([tlp, id]): [string, TlpLevel] => [
    id,
    tlp,
  ]),
  ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 'clear'],
  ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'green'],
  ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 'amber'],
  ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'red'],
])

/** The most restricted TLP among an object's object_marking_refs; null when it has none. */
export const markingTlp = (refs: unknown): TlpLevel | null => {
  if (!Array.isArray(refs)) return null
  let most: TlpLevel | null = null
  for (const ref of refs) {
    const tlp = typeof ref === 'string' ? MARKING_TLP.get(ref) : undefined
    if (tlp && (most === null || TLP_ORDER.indexOf(tlp) > TLP_ORDER.indexOf(most))) most = tlp
  }
  return most
}

/** The levels shared under a ceiling (taxii.serve_max_tlp): it and every one less restricted. */
export const sharedLevels = (maxTlp: TlpLevel): TlpLevel[] =>
  TLP_ORDER.slice(0, TLP_ORDER.indexOf(maxTlp) + 1)
