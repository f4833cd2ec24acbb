import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { splitConcatenatedJson } from '../../ingest/concatenated-json'
import { readEvtx } from '../../ingest/import/evtx-reader'
import { fileSource } from '../../ingest/import/source'
import { flattenEvtxDump, isEvtxDumpEvent } from '../../ingest/import/win-event'
import { loadSigmaFile, type EventRecord } from './compile'

// SigmaHQ's own regression tests: each rule must fire on its own recorded events.
const SHARED = fileURLToPath(new URL('../../../../shared/sigma/', import.meta.url))
type Entry = { rule_id: string; rule_path: string; json: string; evtx: string; match_count: number | null }
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

/** The EVTX twin, read as `outpost import` and `outpost hunt` read it (values as Windows wrote them). */
const evtxEvents = async (path: string): Promise<EventRecord[]> => {
  const out: EventRecord[] = []
  for await (const item of readEvtx(fileSource(path, null).open()))
    if (item.kind === 'record') out.push(item.value)
    else throw new Error(`${path}: ${JSON.stringify(item)}`)
  return out
}

const ruleOf = (entry: Entry) => {
  const { compiled, problems } = loadSigmaFile(
    readFileSync(`${SHARED}rules/${entry.rule_path}`, 'utf8'),
    entry.rule_path,
  )
  expect(problems).toEqual([])
  const rule = compiled.find((c) => c.rule.id === entry.rule_id)
  expect(rule, `rule ${entry.rule_id} in ${entry.rule_path}`).toBeDefined()
  return rule!
}

describe.skipIf(entries.length === 0)('SigmaHQ regression tests', () => {
  it.each(entries.map((entry) => [entry.rule_path, entry] as const))(
    '%s (evtx_dump JSON)',
    (_path, entry) => {
      const rule = ruleOf(entry)
      const events = regressionEvents(`${SHARED}regression/${entry.json}`)
      const matched = events.filter((event) => rule.matches(event)).length
      expect(matched).toBeGreaterThanOrEqual(entry.match_count ?? 1)
    },
  )

  it.each(entries.map((entry) => [entry.rule_path, entry] as const))('%s (EVTX)', async (_path, entry) => {
    const rule = ruleOf(entry)
    const events = await evtxEvents(`${SHARED}regression/${entry.evtx}`)
    const matched = events.filter((event) => rule.matches(event)).length
    expect(matched).toBeGreaterThanOrEqual(entry.match_count ?? 1)
  })
})
