import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { splitConcatenatedJson } from '../../ingest/concatenated-json'
import { flattenEvtxDump, isEvtxDumpEvent } from '../../ingest/import/win-event'
import { loadSigmaFile, type EventRecord } from './compile'

// SigmaHQ's own regression tests: each rule must fire on its own recorded events.
const SHARED = fileURLToPath(new URL('../../../../shared/sigma/', import.meta.url))
type Entry = { rule_id: string; rule_path: string; json: string; match_count: number | null }
const entries: Entry[] = existsSync(`${SHARED}regression/index.json`)
  ? (JSON.parse(readFileSync(`${SHARED}regression/index.json`, 'utf8')) as Entry[])
  : []

const regressionEvents = (path: string): EventRecord[] => {
  const { pieces, error } = splitConcatenatedJson(readFileSync(path, 'utf8'))
  if (error) throw new Error(`${path}: ${error}`)
  return pieces.map((piece) => {
    const value = JSON.parse(piece.text) as Record<string, unknown>
    if (!isEvtxDumpEvent(value)) throw new Error(`${path}: not an evtx_dump event`)
    return flattenEvtxDump(value)
  })
}

describe.skipIf(entries.length === 0)('SigmaHQ regression tests', () => {
  it.each(entries.map((entry) => [entry.rule_path, entry] as const))('%s', (_path, entry) => {
    const { compiled, problems } = loadSigmaFile(
      readFileSync(`${SHARED}rules/${entry.rule_path}`, 'utf8'),
      entry.rule_path,
    )
    expect(problems).toEqual([])
    const rule = compiled.find((c) => c.rule.id === entry.rule_id)
    expect(rule, `rule ${entry.rule_id} in ${entry.rule_path}`).toBeDefined()
    const events = regressionEvents(`${SHARED}regression/${entry.json}`)
    const matched = events.filter((event) => rule!.matches(event)).length
    expect(matched).toBeGreaterThanOrEqual(entry.match_count ?? 1)
  })
})
