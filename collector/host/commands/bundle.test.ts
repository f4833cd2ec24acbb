import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process; each test runs several, hence the timeouts.
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

const dir = mkdtempSync(join(tmpdir(), 'outpost-bundle-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const consoleDir = join(dir, 'console')
const coreDir = join(dir, 'core')

const json = <T>(args: string[]): T => {
  const run = outpost([...args, '--json'])
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return JSON.parse(run.stdout) as T
}

describe('outpost keys', () => {
  it(
    'shows the own key (the same each time, private key 0600), trusts, lists and revokes',
    { timeout: 120_000 },
    () => {
      const shown = outpost(['keys', 'show', '--data-dir', consoleDir])
      expect(shown.status).toBe(0)
      expect(shown.stdout).toMatch(
        /^ed25519:[A-Za-z0-9+/]{43}=\nkey id: {6}[0-9a-f]{16}\nfingerprint: ([0-9a-f]{4} ){7}[0-9a-f]{4}\n$/,
      )
      const own = json<{ public_key: string; key_id: string }>(['keys', 'show', '--data-dir', consoleDir])
      expect(shown.stdout.split('\n')[0]).toBe(own.public_key)
      expect(statSync(join(consoleDir, 'keys', 'signing.key')).mode & 0o777).toBe(0o600)

      // Trusted from a file holding the line, as it travels on the media.
      const keyFile = join(dir, 'console.pub')
      writeFileSync(keyFile, shown.stdout.split('\n')[0] + '\n')
      const trusted = outpost([
        'keys',
        'trust',
        'console-1',
        keyFile,
        '--scope',
        'records',
        '--data-dir',
        coreDir,
      ])
      expect(trusted.stderr).toBe('')
      expect(trusted.stdout).toContain(`trusted "console-1" (key id ${own.key_id}, scope records)`)
      expect(json<{ keys: unknown[] }>(['keys', 'list', '--data-dir', coreDir]).keys).toMatchObject([
        { name: 'console-1', key_id: own.key_id, scope: 'records' },
      ])
      expect(outpost(['keys', 'list', '--data-dir', coreDir]).stdout).toMatch(/^NAME\s+KEY ID\s+SCOPE/)

      const bad = outpost(['keys', 'trust', 'x', 'ed25519:nope', '--data-dir', coreDir])
      expect(bad.status).toBe(1)
      expect(bad.stderr).toMatch(/outpost: error: not an Ed25519 public key/)
      expect(outpost(['keys', 'trust', 'x', '--data-dir', coreDir]).status).toBe(2)
      expect(
        outpost(['keys', 'trust', 'x', own.public_key, '--scope', 'all', '--data-dir', coreDir]).stderr,
      ).toMatch(/--scope must be one of records, content, both/)
      expect(outpost(['keys', 'frobnicate']).status).toBe(2)
      const missing = outpost(['keys', 'revoke', 'nobody', '--data-dir', coreDir])
      expect(missing.status).toBe(1)
      expect(missing.stderr).toMatch(/no trusted key named "nobody"/)
    },
  )
})

describe('outpost bundle', () => {
  it(
    'exports a signed bundle, refuses a tampered copy, imports the good one twice with no duplicates',
    { timeout: 120_000 },
    () => {
      // Something to carry: a report written through the audited store (the console has an audit log).
      outpost(['tokens', 'create', 'forwarder', '--data-dir', consoleDir])
      const out = join(dir, 'console.bundle')
      const exported = outpost(['bundle', 'export', '--out', out, '--data-dir', consoleDir])
      expect(exported.stderr).toBe('')
      expect(exported.status).toBe(0)
      expect(exported.stdout).toMatch(
        /^wrote .*console\.bundle \(bundle number 1, \d+ bytes, id [0-9a-f-]{36}\): \d+ records/,
      )
      const records = (
        JSON.parse(
          outpost([
            'bundle',
            'export',
            '--out',
            join(dir, 'again.bundle'),
            '--data-dir',
            consoleDir,
            '--json',
          ]).stdout,
        ) as { counts: { records: number } }
      ).counts.records
      expect(records).toBeGreaterThan(0)

      // A tampered copy: one byte flipped near the end (inside the records entry).
      const tampered = join(dir, 'tampered.bundle')
      const bytes = readFileSync(out)
      bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff
      writeFileSync(tampered, bytes)
      const refused = outpost(['bundle', 'import', tampered, '--data-dir', coreDir])
      expect(refused.status).toBe(1)
      expect(refused.stderr).toMatch(
        /^outpost: error: bundle .*tampered\.bundle refused: entry records\.ndjson\.gz does not match its SHA-256 in the manifest/,
      )

      const dry = outpost(['bundle', 'import', out, '--dry-run', '--data-dir', coreDir])
      expect(dry.status).toBe(0)
      expect(dry.stdout).toMatch(
        /would import: \d+ new, 0 changed, 0 conflicts, 0 already present \(nothing stored/,
      )
      expect(dry.stdout).toMatch(/STATUS +KIND/)

      const first = json<{ counts: { new: number }; applied: number }>([
        'bundle',
        'import',
        out,
        '--data-dir',
        coreDir,
      ])
      expect(first.counts.new).toBeGreaterThan(0)
      expect(first.applied).toBe(first.counts.new)
      const second = outpost(['bundle', 'import', out, '--data-dir', coreDir])
      expect(second.status).toBe(0)
      expect(second.stdout).toContain(
        `imported: 0 new, 0 changed, 0 conflicts, ${first.counts.new} already present; 0 stored`,
      )
    },
  )

  it('refuses a bundle from an untrusted key, naming the key and the command', { timeout: 120_000 }, () => {
    const out = join(dir, 'console.bundle')
    const stranger = outpost(['bundle', 'import', out, '--data-dir', join(dir, 'stranger')])
    expect(stranger.status).toBe(1)
    expect(stranger.stderr).toMatch(
      /signed by key [0-9a-f]{16}, which is not trusted here .*outpost keys trust NAME ed25519:/,
    )
  })

  it(
    'content bundles: export a watchlist, import, list, roll back; diode mode refuses',
    { timeout: 120_000 },
    () => {
      const csv = join(dir, 'iocs.csv')
      writeFileSync(csv, 'type,value,source\nip,203.0.113.7,CERT\ndomain,evil.example.com,CERT\n')
      const key = json<{ public_key: string }>(['keys', 'show', '--data-dir', consoleDir]).public_key
      outpost(['keys', 'trust', 'intel', key, '--data-dir', join(dir, 'site')])
      for (const version of ['1', '2']) {
        const made = outpost([
          'bundle',
          'content',
          'export',
          '--type',
          'watchlist',
          '--in',
          csv,
          '--version',
          version,
          '--out',
          join(dir, `wl${version}.bundle`),
          '--data-dir',
          consoleDir,
        ])
        expect(made.stderr).toBe('')
        expect(made.stdout).toContain(`(watchlist ${version}, ${version === '1' ? 2 : 1} indicators`)
        writeFileSync(csv, 'type,value\nurl,http://evil.example.com/a\n')
        expect(
          outpost(['bundle', 'import', join(dir, `wl${version}.bundle`), '--data-dir', join(dir, 'site')])
            .status,
        ).toBe(0)
      }
      const list = outpost(['bundle', 'content', 'list', '--data-dir', join(dir, 'site')])
      expect(list.stdout).toMatch(/^\* watchlist +iocs +2 .*\n {2}watchlist +iocs +1 /)
      const back = outpost([
        'bundle',
        'content',
        'rollback',
        '--type',
        'watchlist',
        '--data-dir',
        join(dir, 'site'),
      ])
      expect(back.stdout).toBe('watchlist "iocs": rolled back from 2 to 1\n')
      expect(outpost(['bundle', 'content', 'rollback', '--data-dir', join(dir, 'site')]).status).toBe(2)

      const diode = join(dir, 'diode')
      outpost(['keys', 'show', '--data-dir', diode])
      writeFileSync(join(diode, 'config.yaml'), 'bundles:\n  mode: export-only\n')
      const refused = outpost(['bundle', 'import', join(dir, 'wl1.bundle'), '--data-dir', diode])
      expect(refused.status).toBe(1)
      expect(refused.stderr).toMatch(
        /this installation is export-only \(bundles\.mode in config\.yaml\): it does not import bundles/,
      )
    },
  )

  it(
    'export --outbox on an export-only data dir drains the outbox; the next has nothing new',
    { timeout: 120_000 },
    () => {
      const diodeDir = join(dir, 'diode')
      outpost(['tokens', 'list', '--data-dir', diodeDir])
      writeFileSync(join(diodeDir, 'config.yaml'), 'bundles:\n  mode: export-only\n')
      // An audited change: its audit entry is queued in the outbox.
      outpost(['tokens', 'create', 'forwarder', '--data-dir', diodeDir])
      type Bundles = { bundles: { channel: boolean; queue_depth: number; last_export: string | null } }
      const before = json<Bundles>(['sync', 'status', '--data-dir', diodeDir]).bundles
      expect(before).toMatchObject({ channel: true, last_export: null })
      expect(before.queue_depth).toBeGreaterThan(0)
      const first = json<{ counts: { records: number; audit?: number } }>([
        'bundle',
        'export',
        '--outbox',
        '--out',
        join(dir, 'diode-1.bundle'),
        '--data-dir',
        diodeDir,
      ])
      expect(first.counts.records).toBeGreaterThan(0)
      expect(first.counts.audit).toBeGreaterThan(0)
      // Carried: the bundle channel's queue is empty, and the export is shown.
      const after = json<Bundles>(['sync', 'status', '--data-dir', diodeDir]).bundles
      expect(after).toMatchObject({ channel: true, queue_depth: 0 })
      expect(Date.parse(after.last_export!)).toBeGreaterThan(Date.now() - 120_000)
      const text = outpost(['sync', 'status', '--data-dir', diodeDir]).stdout
      expect(text).toMatch(/^bundles: {6}export-only, 0 outbox entries not yet carried/m)
      expect(text).toMatch(/^last bundle: {2}\d{4}-/m)
      const second = outpost([
        'bundle',
        'export',
        '--outbox',
        '--out',
        join(dir, 'diode-2.bundle'),
        '--data-dir',
        diodeDir,
      ])
      expect(second.status).toBe(0)
      expect(second.stdout).toMatch(/^nothing new in the outbox since the last bundle\nwrote .*: 0 records/)
      expect(
        outpost(['bundle', 'export', '--outbox', '--since', '1', '--out', 'x', '--data-dir', diodeDir])
          .stderr,
      ).toMatch(/--outbox carries every outbox entry no bundle carried yet: leave out --since and --kinds/)
    },
  )

  it('bad usage exits 2 with what to fix', { timeout: 120_000 }, () => {
    expect(outpost(['bundle']).status).toBe(2)
    expect(outpost(['bundle', 'export']).stderr).toMatch(/needs --out FILE/)
    expect(outpost(['bundle', 'export', '--out', 'x', '--kinds', 'alert,cats']).stderr).toMatch(
      /unknown kind "cats"/,
    )
    expect(outpost(['bundle', 'content', 'export', '--type', 'movies']).stderr).toMatch(
      /--type must be one of/,
    )
  })
})
