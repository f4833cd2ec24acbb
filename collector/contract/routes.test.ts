import { describe, expect, it } from 'vitest'
import { deepLinkToHash } from './routes'

describe('outpost:// deep links', () => {
  it.each([
    ['outpost://incidents?id=inc-1', '#/incidents?id=inc-1'],
    ['outpost:///alerts?incident=inc-1', '#/alerts?incident=inc-1'],
    ['outpost://open/hunt?tab=saved', '#/hunt?tab=saved'],
    ['outpost://dashboard', '#/dashboard'],
    ['outpost://dashboard/', '#/dashboard'],
    ['outpost://assets?id=host%3Aws01&view=graph', '#/assets?id=host%3Aws01&view=graph'],
    ['OUTPOST://settings', '#/settings'],
  ])('%s opens %s', (link, hash) => {
    expect(deepLinkToHash(link)).toBe(hash)
  })

  it.each([
    'https://evil.example/incidents',
    'file:///etc/passwd',
    'outpost://nowhere',
    'outpost://incidents/extra',
    'outpost://incidents?id=x&redirect=https://evil',
    'outpost://user:pw@incidents',
    'outpost://incidents:99',
    'javascript:alert(1)',
    'not a url',
    '',
    `outpost://incidents?id=${'x'.repeat(501)}`,
  ])('refuses %s', (link) => {
    expect(deepLinkToHash(link)).toBeNull()
  })
})
