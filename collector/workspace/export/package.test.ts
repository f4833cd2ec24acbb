import { unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { sampleDocument } from './fixtures'
import { readManifest, sha256Hex, toPackage } from './package'

describe('toPackage', () => {
  it('zips every rendering and the evidence with bytes; the manifest digests match the files', () => {
    const pdf = new TextEncoder().encode('%PDF-1.7 stub')
    const entries = unzipSync(toPackage(sampleDocument(), { pdf }))
    const manifestBytes = entries['manifest.json']
    if (!manifestBytes) throw new Error('no manifest.json')
    const manifest = readManifest(manifestBytes)
    expect(Object.keys(entries).sort()).toEqual(
      [
        'manifest.json',
        'report.stix.json',
        'report.html',
        'report.md',
        'observables.csv',
        'report.misp.json',
        'navigator-layer.json',
        'report.pdf',
        'evidence/pcap-1.pcap',
      ].sort(),
    )
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      Object.keys(entries)
        .filter((p) => p !== 'manifest.json')
        .sort(),
    )
    for (const f of manifest.files) {
      const bytes = entries[f.path]
      expect(bytes, f.path).toBeDefined()
      if (!bytes) continue
      expect(sha256Hex(bytes), f.path).toBe(f.sha256)
      expect(bytes.length, f.path).toBe(f.size)
    }
    expect(entries['report.pdf']).toEqual(pdf)
    expect(manifest.evidence).toEqual([
      {
        name: 'pcap-1.pcap',
        path: 'evidence/pcap-1.pcap',
        sha256: '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81',
        size: 3,
        verified: true,
      },
      { name: 'memory.dmp', path: null, sha256: 'a'.repeat(64), size: 1_000_000, verified: null },
    ])
    expect(manifest.document).toEqual({
      kind: 'report',
      id: 'rep-0001',
      title: sampleDocument().title,
      version: 3,
      tlp: 'amber',
    })
  })

  it('leaves out the PDF when none is given and is byte-for-byte stable', () => {
    const a = toPackage(sampleDocument())
    expect(Object.keys(unzipSync(a))).not.toContain('report.pdf')
    expect(toPackage(sampleDocument())).toEqual(a)
  })

  it('keeps evidence names inside evidence/, unique, and flags bytes that do not match', () => {
    const bytes = new Uint8Array([9])
    const doc = sampleDocument({
      evidence: [
        { name: '../../etc/passwd', sha256: sha256Hex(bytes), size: 1, bytes },
        { name: 'C:\\x\\passwd', sha256: 'b'.repeat(64), size: 1, bytes },
        { name: '..', sha256: sha256Hex(bytes), size: 1, bytes },
      ],
    })
    const entries = unzipSync(toPackage(doc))
    const manifestBytes = entries['manifest.json']
    if (!manifestBytes) throw new Error('no manifest.json')
    expect(readManifest(manifestBytes).evidence.map((e) => [e.path, e.verified])).toEqual([
      ['evidence/passwd', true],
      ['evidence/passwd-2', false],
      ['evidence/evidence', true],
    ])
  })
})
