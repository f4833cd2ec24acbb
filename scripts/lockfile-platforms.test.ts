import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { missingPlatformEntries } from './lockfile-platforms.js'

describe('package-lock.json', () => {
  it('has an entry for every platform build of every optional dependency (else npm ci fails)', () => {
    const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as unknown
    const missing = Object.keys(missingPlatformEntries(lock))
    expect(missing, 'run: node scripts/lockfile-platforms.js, and commit package-lock.json').toEqual([])
  })
})
