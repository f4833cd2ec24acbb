import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readEvtx } from './evtx-reader'
import { readJsonValues } from './json-reader'
import { fileSource } from './source'

// SigmaHQ's regression tests hold each test's events twice: evtx_dump JSON and the EVTX itself.
const REGRESSION = fileURLToPath(new URL('../../../../shared/sigma/regression/', import.meta.url))
type Entry = { rule_id: string; json: string; evtx: string; json_events: number }
const entries: Entry[] = existsSync(`${REGRESSION}index.json`)
  ? (JSON.parse(readFileSync(`${REGRESSION}index.json`, 'utf8')) as Entry[])
  : []

const records = async (items: AsyncGenerator<{ kind: string }>): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = []
  for await (const item of items) {
    expect(item).toMatchObject({ kind: 'record' })
    out.push((item as unknown as { value: Record<string, unknown> }).value)
  }
  return out
}

/**
 * The two known differences, normalized here and nowhere else: evtx_dump writes TimeCreated to
 * the microsecond where @ts-evtx/core gives milliseconds, and evtx_dump (0.8.5 on) trims
 * trailing whitespace off string values (`"C:\Windows\system32\cmd.exe" ` as Windows wrote it).
 */
const comparable = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key,
      key === 'TimeCreated' && typeof value === 'string'
        ? new Date(value).toISOString()
        : typeof value === 'string'
          ? value.trimEnd()
          : value,
    ]),
  )

/** Where the two files of a test really differ (checked byte for byte in the EVTX): reported, not hidden. */
const SOURCE_DIFFERENCES: Record<string, { field: string; evtx: string; json: string }> = {
  // proc_creation_win_susp_right_to_left_override: the EVTX says Explorer.EXE, its JSON Explorer.exe.
  'ad691d92-15f2-4181-9aa4-723c74f9ddc3': {
    field: 'ParentCommandLine',
    evtx: 'C:\\Windows\\Explorer.EXE',
    json: 'C:\\Windows\\Explorer.exe',
  },
}

describe.skipIf(entries.length === 0)('SigmaHQ regression events: EVTX and evtx_dump JSON agree', () => {
  it('has every entry of the index', () => {
    expect(entries.length).toBeGreaterThanOrEqual(92)
  })
  it.each(entries.map((e) => [e.rule_id, e] as const))('%s', async (_id, entry) => {
    const fromJson = await records(readJsonValues(fileSource(REGRESSION + entry.json, null).open()))
    const fromEvtx = await records(readEvtx(fileSource(REGRESSION + entry.evtx, null).open()))
    expect(fromJson).toHaveLength(entry.json_events)
    const known = SOURCE_DIFFERENCES[entry.rule_id]
    if (known) {
      expect(fromEvtx.map((r) => r[known.field])).toContain(known.evtx)
      for (const r of fromEvtx) if (r[known.field] === known.evtx) r[known.field] = known.json
    }
    expect(fromEvtx.map(comparable)).toEqual(fromJson.map(comparable))
  })
})
