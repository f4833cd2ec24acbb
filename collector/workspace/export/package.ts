// Everything about one document in one zip, with a manifest of SHA-256 digests so a recipient can check it.
import { createHash } from 'node:crypto'
import { zipSync, type Zippable } from 'fflate'
import { observablesCsv } from './csv'
import { toHtml } from './html'
import { toMarkdown } from './markdown'
import { toMispEvent } from './misp'
import type { ExportDocument } from './model'
import { toNavigatorLayer } from './navigator'
import { toStixBundle } from './stix'

export type ManifestFile = { path: string; sha256: string; size: number }
export type ManifestEvidence = {
  name: string
  path: string | null // null: listed only, its bytes were not handed over
  sha256: string
  size: number
  verified: boolean | null // the bytes match the recorded SHA-256 and size; null without bytes
}
export type Manifest = {
  format: 'outpost-export'
  version: 1
  document: {
    kind: ExportDocument['kind']
    id: string
    title: string
    version: number
    tlp: ExportDocument['tlp']
  }
  files: ManifestFile[]
  evidence: ManifestEvidence[]
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** A zip entry name from an evidence name: no folders, no dot-only names, no clash with an earlier one. */
function evidencePath(name: string, taken: Set<string>): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f:*?"<>|]/g, '_')
  const safe = base === '' || /^\.+$/.test(base) ? 'evidence' : base
  let candidate = `evidence/${safe}`
  for (let n = 2; taken.has(candidate); n++) {
    const dot = safe.lastIndexOf('.')
    candidate = dot > 0 ? `evidence/${safe.slice(0, dot)}-${n}${safe.slice(dot)}` : `evidence/${safe}-${n}`
  }
  taken.add(candidate)
  return candidate
}

export function readManifest(bytes: Uint8Array): Manifest {
  return JSON.parse(new TextDecoder().decode(bytes)) as Manifest
}

export function toPackage(doc: ExportDocument, rendered: { pdf?: Uint8Array } = {}): Uint8Array {
  const encoder = new TextEncoder()
  const json = (value: unknown): Uint8Array => encoder.encode(`${JSON.stringify(value, null, 2)}\n`)
  const files = new Map<string, Uint8Array>([
    ['report.stix.json', json(toStixBundle(doc))],
    ['report.html', encoder.encode(toHtml(doc))],
    ['report.md', encoder.encode(toMarkdown(doc))],
    ['observables.csv', encoder.encode(observablesCsv(doc))],
    ['report.misp.json', json(toMispEvent(doc))],
    ['navigator-layer.json', json(toNavigatorLayer(doc))],
  ])
  if (rendered.pdf) files.set('report.pdf', rendered.pdf)
  const taken = new Set(files.keys())
  const evidence: ManifestEvidence[] = doc.evidence.map((e) => {
    if (!e.bytes) return { name: e.name, path: null, sha256: e.sha256, size: e.size, verified: null }
    const path = evidencePath(e.name, taken)
    files.set(path, e.bytes)
    const verified = e.bytes.length === e.size && sha256Hex(e.bytes) === e.sha256.toLowerCase()
    return { name: e.name, path, sha256: e.sha256, size: e.size, verified }
  })
  const manifest: Manifest = {
    format: 'outpost-export',
    version: 1,
    document: { kind: doc.kind, id: doc.id, title: doc.title, version: doc.version, tlp: doc.tlp },
    files: [...files].map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.length })),
    evidence,
  }
  // The document's own time, not the clock: the same document zips to the same bytes.
  const mtime = new Date(doc.updated_at)
  const zippable: Zippable = { 'manifest.json': [json(manifest), { mtime }] }
  for (const [path, bytes] of files) zippable[path] = [bytes, { mtime }]
  return zipSync(zippable, { level: 6 })
}
