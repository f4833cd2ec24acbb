import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { zipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import type { NewEvent } from '../../store/sqlite/events-repo'
import { detectFormat } from './detect'
import { importFile, type ImportOptions, type ImportProblem } from './import-files'

const dir = mkdtempSync(join(tmpdir(), 'outpost-import-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, content: string | Uint8Array): string => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const SHARED = fileURLToPath(new URL('../../../../shared/sigma/regression/', import.meta.url))
const SYSMON =
  'rules-emerging-threats/2025/Malware/Shai-Hulud/proc_creation_win_mal_shai_hulud_malicious_node_bun_execution/5299fadf-f228-4526-8274-251db1960be9'

const run = async (path: string, options: Partial<ImportOptions> = {}) => {
  const events: NewEvent[] = []
  const problems: ImportProblem[] = []
  const summary = await importFile(path, {
    sink: (batch) => void events.push(...batch),
    onProblem: (p) => problems.push(p),
    ...options,
  })
  const fields = events.map((e) => JSON.parse(e.fields) as Record<string, unknown>)
  return { summary, events, problems, fields }
}

const EVTX_DUMP = (id: number, cmd: string): string =>
  JSON.stringify(
    {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
          EventID: id,
          Level: 4,
          TimeCreated: { '#attributes': { SystemTime: '2025-11-28T07:59:01.340553Z' } },
          EventRecordID: 7,
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          Computer: 'ws-01',
          Security: { '#attributes': { UserID: 'S-1-5-18' } },
        },
        EventData: { CommandLine: cmd, ProcessId: 42 },
      },
    },
    null,
    2,
  )

describe('detectFormat', () => {
  it.each([
    ['ElfFile\0rest', 'x.bin', 'evtx'],
    ['PK\x03\x04', 'x.json', 'zip'],
    ['\x1f\x8b\x08', 'x.log', 'gzip'],
    ['[{"a":1}]', 'x.txt', 'json'],
    ['{"a":1}\n', 'x.ndjson', 'ndjson'],
    ['{"a":1}\n', 'x.json', 'json'],
    ['<34>Oct 11 22:14:15 host su: hi', 'x', 'syslog'],
    ['a,b\n1,2', 'x.csv', 'csv'],
    ['a,b\n1,2', 'x.txt', 'syslog'],
    ['plain line', 'x.csv', 'syslog'],
  ])('%j named %s is %s', (head, name, format) => {
    expect(detectFormat(Buffer.from(head, 'latin1'), name)).toBe(format)
  })
})

describe('readers', () => {
  it('NDJSON: good lines imported, a bad line reported with its number', async () => {
    const path = write('a.ndjson', '{"message":"one"}\n{"message": oops}\n\n[1]\n{"message":"two"}\r\n')
    const { summary, fields, problems } = await run(path)
    expect(fields.map((f) => f.message)).toEqual(['one', 'two'])
    expect(summary).toMatchObject({ format: 'ndjson', records: 4, imported: 2, rejected: 2, error: null })
    expect(problems[0]).toMatchObject({ file: path, at: 'line 2' })
    expect(problems[0]!.reason).toMatch(/column 13/)
    expect(problems[1]).toMatchObject({ at: 'line 4', reason: 'expected a JSON object, got array' })
  })

  it('a JSON array, with a non-object item rejected', async () => {
    const { summary, fields, problems } = await run(write('b.json', '[\n {"a":1},\n 2,\n {"a":"}{"}\n]'))
    expect(fields).toEqual([{ a: 1 }, { a: '}{' }])
    expect(summary).toMatchObject({ format: 'json', imported: 2, rejected: 1 })
    expect(problems[0]!.reason).toMatch(/expected a JSON object/)
  })

  it('one pretty-printed object, and concatenated ones', async () => {
    expect((await run(write('c.json', '{\n "a": {"b": 1}\n}\n'))).fields).toEqual([{ a: { b: 1 } }])
    const { fields } = await run(write('d.json', '{"a":1}{"a":2}\n {\n"a":3}'))
    expect(fields).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }])
  })

  it('an unterminated object at the end is reported, what came before is kept', async () => {
    const { summary, problems } = await run(write('e.json', '{\n"a":1\n}\n{\n"a": 2'))
    expect(summary).toMatchObject({ imported: 1, rejected: 1, error: null })
    expect(problems[0]).toMatchObject({ at: 'line 4' })
  })

  it('evtx_dump objects are flattened', async () => {
    const path = write('f.json', EVTX_DUMP(1, 'cmd.exe /c whoami') + '\n' + EVTX_DUMP(3, 'x'))
    const { fields, events } = await run(path)
    expect(fields[0]).toEqual({
      EventID: 1,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'ws-01',
      Level: 4,
      EventRecordID: 7,
      Provider_Name: 'Microsoft-Windows-Sysmon',
      TimeCreated: '2025-11-28T07:59:01.340553Z',
      Security_UserID: 'S-1-5-18',
      CommandLine: 'cmd.exe /c whoami',
      ProcessId: 42,
    })
    expect(events[0]).toMatchObject({ listener: 'import', source: path, host: 'ws-01' })
    expect(events[0]!.ts).toBe(Date.parse('2025-11-28T07:59:01.340Z'))
  })

  it('evtx_dump Data lists with Name attributes', async () => {
    const event = {
      Event: {
        System: { EventID: 4688, Channel: 'Security', Computer: 'dc' },
        EventData: {
          Data: [
            { '#attributes': { Name: 'NewProcessName' }, '#text': 'C:\\a.exe' },
            { '#attributes': { Name: 'Empty' } },
          ],
        },
      },
    }
    const { fields } = await run(write('g.json', JSON.stringify(event)))
    expect(fields[0]).toEqual({
      EventID: 4688,
      Channel: 'Security',
      Computer: 'dc',
      NewProcessName: 'C:\\a.exe',
      Empty: null,
    })
  })

  it('CSV: header row, values as strings, a ragged row reported', async () => {
    const { fields, summary, problems } = await run(
      write('h.csv', 'host,message\nws1,"hello, world"\nws2\nws3,bye\n'),
    )
    expect(fields).toEqual([
      { host: 'ws1', message: 'hello, world' },
      { host: 'ws3', message: 'bye' },
    ])
    expect(summary).toMatchObject({ format: 'csv', imported: 2, rejected: 1 })
    expect(problems[0]!.reason).toMatch(/column/i)
  })

  it('syslog text: one event per line through the syslog decoder', async () => {
    const { events, summary } = await run(
      write('i.log', '<34>Oct 11 22:14:15 mymachine su: su root failed\nnot syslog at all\n\n'),
    )
    expect(summary).toMatchObject({ format: 'syslog', records: 2, imported: 2 })
    expect(events[0]).toMatchObject({ host: 'mymachine', severity: 'critical', listener: 'import' })
    expect(events[1]!.message).toBe('not syslog at all')
  })

  it('EVTX: every record, flattened from its XML', async () => {
    const { fields, summary } = await run(`${SHARED}${SYSMON}.evtx`)
    expect(summary).toMatchObject({ format: 'evtx', records: 6, imported: 6, rejected: 0 })
    expect(fields[0]).toMatchObject({ EventID: 1, Computer: 'swachchhanda', ProcessId: 8752 })
  })

  it('EVTX: a corrupt record is reported and the others still import', async () => {
    const data = readFileSync(`${SHARED}${SYSMON}.evtx`)
    data.writeUInt32LE(0xdeadbeef, 0x1000 + 0x200) // the first record's magic
    const { summary, problems } = await run(write('broken.evtx', data))
    expect(summary).toMatchObject({ imported: 5, rejected: 1, error: null })
    expect(problems[0]).toMatchObject({ at: 'chunk 0, offset 512' })
  })

  it('a file that cannot be read is an error for that file', async () => {
    expect((await run(join(dir, 'missing.json'))).summary.error).toMatch(/ENOENT/)
    expect((await run(write('short.evtx', 'ElfFile\0'))).summary.error).toMatch(/not an EVTX file/)
  })

  it('progress per batch, and cancellation', async () => {
    const path = write('many.ndjson', Array.from({ length: 25 }, (_, i) => `{"n":${i}}`).join('\n'))
    const seen: number[] = []
    const { summary } = await run(path, { batchSize: 10, onProgress: (p) => seen.push(p.imported) })
    expect(seen).toEqual([10, 20, 25])
    expect(summary.imported).toBe(25)
    const controller = new AbortController()
    controller.abort()
    await expect(run(path, { batchSize: 10, signal: controller.signal })).rejects.toThrow(/abort/i)
  })
})

describe('archives', () => {
  const ndjson = '{"message":"a"}\n{"message":"b"}\n'
  const evtx = (): Buffer => readFileSync(`${SHARED}${SYSMON}.evtx`)

  it('gzip of NDJSON and of EVTX, streamed', async () => {
    const a = await run(write('x.ndjson.gz', gzipSync(ndjson)))
    expect(a.summary).toMatchObject({ format: 'gzip(ndjson)', imported: 2 })
    expect(a.events[0]!.source).toBe(join(dir, 'x.ndjson.gz'))
    const b = await run(write('x.evtx.gz', gzipSync(evtx())))
    expect(b.summary).toMatchObject({ format: 'gzip(evtx)', imported: 6 })
  })

  it('zip of NDJSON and EVTX (and a gzip inside), members named archive!member', async () => {
    const path = write(
      'bundle.zip',
      zipSync({
        'logs/a.ndjson': Buffer.from(ndjson),
        'logs/sysmon.evtx': evtx(),
        'more.json.gz': gzipSync('[{"message":"c"}]'),
      }),
    )
    const { summary, events } = await run(path)
    expect(summary).toMatchObject({ format: 'zip(ndjson,evtx,json)', imported: 9, rejected: 0, error: null })
    expect(new Set(events.map((e) => e.source))).toEqual(
      new Set([`${path}!logs/a.ndjson`, `${path}!logs/sysmon.evtx`, `${path}!more.json.gz`]),
    )
  })

  it('a corrupt gzip is an error for the file', async () => {
    const data = gzipSync(ndjson.repeat(100))
    const { summary } = await run(write('bad.ndjson.gz', data.subarray(0, data.length - 20)))
    expect(summary.error).toMatch(/unexpected end|incorrect|invalid/i)
  })
})
