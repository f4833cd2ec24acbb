import { describe, expect, it } from 'vitest'
import { loadSigmaFile } from './compile'
import { eventTimestamp, huntEvent, huntMatches } from './hunt'

const rules = (product: string, title: string): string => `title: ${title}
logsource:
  product: ${product}
detection:
  selection:
    Image|endswith: '\\\\cmd.exe'
  condition: selection
`
const compiled = [
  ...loadSigmaFile(rules('windows', 'win'), 'win.yml').compiled,
  ...loadSigmaFile(rules('linux', 'lin'), 'lin.yml').compiled,
]

describe('huntEvent', () => {
  it('builds detections with exactly the documented keys', () => {
    const [found] = huntEvent(
      { Image: 'C:\\cmd.exe', TimeCreated: '2020-10-19 03:30:41.104' },
      () => compiled,
    )
    expect(Object.keys(found!)).toEqual([
      'rule_id',
      'rule_title',
      'level',
      'tags',
      'author',
      'timestamp',
      'event',
    ])
    expect(found!.timestamp).toBe('2020-10-19T03:30:41.104Z')
  })
  it('uses the select it is given', () => {
    expect(huntEvent({ Image: 'cmd.exe' }, () => [])).toEqual([])
  })
})

describe('eventTimestamp', () => {
  it.each([
    [{ TimeCreated: '2021-01-02T03:04:05.678Z' }, '2021-01-02T03:04:05.678Z'],
    [{ '@timestamp': '2021-01-02T03:04:05+01:00' }, '2021-01-02T02:04:05.000Z'],
    [{ TimeCreated: '2021-01-02 03:04:05' }, '2021-01-02T03:04:05.000Z'],
    [{ TimeCreated: 'garbage' }, null],
    [{}, null],
  ])('%j -> %s', (event, expected) => {
    expect(eventTimestamp(event)).toBe(expected)
  })
})

describe('huntMatches', () => {
  it('gives the detections of the rules the matcher returns', () => {
    const found = huntMatches({ Image: 'C:\\cmd.exe' }, { match: () => [compiled[0]!] })
    expect(found.map((d) => d.rule_title)).toEqual(['win'])
  })
})
