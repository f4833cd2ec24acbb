import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadSigmaFile, type CompiledRule, type EventRecord } from './compile'
import { createRouter, loadLogsourceMapping, logsourceKey } from './logsource'

// The router against real data: every SigmaHQ logsource is mapped or reported, and the OTRF
// recordings raise alerts tagged with the technique each recording is labelled with.
const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url))
const RULES = join(SHARED, 'sigma/rules/')
const OTRF = join(SHARED, 'datasets/otrf/')

const ruleFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? ruleFiles(join(dir, entry.name))
      : entry.name.endsWith('.yml')
        ? [join(dir, entry.name)]
        : [],
  )

const loadRules = (): CompiledRule[] =>
  ['rules', 'rules-emerging-threats', 'rules-threat-hunting']
    .filter((folder) => existsSync(RULES + folder))
    .flatMap((folder) => ruleFiles(RULES + folder))
    .flatMap((file) => loadSigmaFile(readFileSync(file, 'utf8'), relative(RULES, file)).compiled)

const mappingResult = loadLogsourceMapping()
if (!mappingResult.ok) throw new Error(mappingResult.errors.join('\n'))
const mapping = mappingResult.mapping

type IndexEntry = { file: string; technique_ids: string[]; note?: string }

/** T1218.005 -> t1218; Sigma tags techniques as attack.t1218.005. */
const base = (technique: string): string => technique.toLowerCase().split('.')[0] ?? ''

describe.skipIf(!existsSync(RULES) || !existsSync(OTRF))('routing SigmaHQ rules over OTRF data', () => {
  const rules = loadRules()
  const router = createRouter(rules, mapping)

  it('maps or reports every logsource the SigmaHQ rules use', () => {
    const unmapped = new Set(router.unmapped.map((u) => logsourceKey(u.logsource)))
    const used = new Set(rules.map((r) => logsourceKey(r.rule.logsource)))
    const mapped = [...used].filter((key) => !unmapped.has(key))
    console.log(
      JSON.stringify(
        {
          logsources: used.size,
          mapped: mapped.length,
          unmapped: router.unmapped
            .map((u) => `${logsourceKey(u.logsource)} (${u.rules.length} rules): ${u.reason}`)
            .sort(),
        },
        null,
        2,
      ),
    )
    // Everything unmapped is reported, and what the issue asks for is mapped.
    for (const key of used) expect(unmapped.has(key) || mapped.includes(key)).toBe(true)
    for (const key of [
      'windows|process_creation|',
      'windows|ps_script|',
      'windows|ps_module|',
      'windows||security',
      'linux||auditd',
    ])
      expect(mapped).toContain(key)
  })

  it('raises the labelled technique on most OTRF recordings', () => {
    const index = JSON.parse(readFileSync(join(OTRF, 'index.json'), 'utf8')) as IndexEntry[]
    const recordings = index.filter((entry) => entry.file.endsWith('.ndjson'))
    const report = recordings.map((entry) => {
      const events = readFileSync(join(OTRF, entry.file), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as EventRecord)
      const techniques = new Map<string, number>()
      let evaluated = 0
      for (const event of events)
        for (const compiled of router.candidates(event)) {
          evaluated += 1
          if (!compiled.matches(event)) continue
          for (const tag of compiled.rule.tags)
            if (/^attack\.t\d{4}/.test(tag)) {
              const technique = tag.slice('attack.'.length)
              techniques.set(technique, (techniques.get(technique) ?? 0) + 1)
            }
        }
      const expected = entry.technique_ids.map((t) => t.toLowerCase())
      const exact = expected.some((t) => techniques.has(t))
      const sameBase = expected.some((t) => [...techniques.keys()].some((seen) => base(seen) === base(t)))
      return {
        file: entry.file,
        expected,
        exact,
        sameBase,
        events: events.length,
        perEvent: +(evaluated / events.length).toFixed(1),
        rules: rules.length,
        seen: Object.fromEntries([...techniques].sort((a, b) => b[1] - a[1])),
        ...(entry.note === undefined ? {} : { note: entry.note }),
      }
    })
    console.log(JSON.stringify(report, null, 2))
    // Asserted on the exact technique; a sibling sub-technique (same parent) is printed, not counted.
    const hits = report.filter((r) => r.exact)
    console.log(
      `OTRF: ${hits.length}/${report.length} recordings raise their technique (same parent technique: ${report.filter((r) => r.sameBase).length}); misses: ${report
        .filter((r) => !r.exact)
        .map((r) => r.file)
        .join(', ')}`,
    )
    expect(hits.length * 2).toBeGreaterThan(report.length)
  })
})
