import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process.
const outpost = (...args: string[]) =>
  spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

describe('outpost sync', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-sync-cli-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
  const inDir = (...args: string[]) => outpost('sync', ...args, '--data-dir', dataDir)

  it('says what is wrong with the command line (exit 2)', () => {
    expect(outpost('sync').stderr).toMatch(/say what to do: use connect, disconnect, push/)
    expect(inDir('frobnicate').status).toBe(2)
    const noToken = inDir('connect', 'https://core:7480')
    expect(noToken.status).toBe(2)
    expect(noToken.stderr).toMatch(/needs --token T/)
    const certAlone = inDir('connect', 'https://core:7480', '--cert', join(dataDir, 'c.pem'))
    expect(certAlone.status).toBe(2)
    expect(certAlone.stderr).toMatch(/--cert and --key go together/)
    const badUrl = inDir('connect', 'ftp://core', '--token', 'osync_123456789')
    expect(badUrl.status).toBe(2)
    expect(badUrl.stderr).toMatch(/url: use an http:\/\/ or https:\/\/ URL of the core/)
    const noCa = inDir(
      'connect',
      'https://core:7480',
      '--token',
      'osync_123456789',
      '--ca',
      join(dataDir, 'nope.pem'),
    )
    expect(noCa.stderr).toMatch(/--ca .*nope\.pem: cannot read it/)
    expect(inDir('resolve', 'x', 'mine').stderr).toMatch(/needs a conflict ID and local or remote/)
  })

  it('shows the status of a console with no connector, and refuses to push without one', () => {
    const status = inDir('status', '--json')
    expect(status.status).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({
      configured: false,
      queue_depth: 0,
      conflicts: 0,
      role: 'console',
    })
    expect(inDir('status').stdout).toMatch(/not configured \(no outbound connection\)/)
    expect(inDir('status').stdout).toMatch(/^nats: {9}off$/m)
    const push = inDir('push')
    expect(push.status).toBe(1)
    expect(push.stderr).toMatch(/no core configured: run outpost sync connect URL --token T first/)
    expect(inDir('conflicts').stdout).toBe('no open conflicts\n')
  })

  it('shows the NATS channel of a console with nats.enabled, its queue counting what is not published', () => {
    const natsDir = mkdtempSync(join(tmpdir(), 'outpost-sync-cli-nats-'))
    try {
      writeFileSync(
        join(natsDir, 'config.yaml'),
        'nats:\n  enabled: true\n  servers: [nats://127.0.0.1:1]\n  site: ops-2\n',
      )
      const made = outpost(
        'report',
        'create',
        '--title',
        'Sitrep',
        '--body',
        'All quiet.',
        '--data-dir',
        natsDir,
      )
      expect(made.status, made.stderr).toBe(0)
      const status = outpost('sync', 'status', '--data-dir', natsDir)
      expect(status.stdout).toMatch(/^nats: {9}publishing to nats:\/\/127\.0\.0\.1:1 as site ops-2$/m)
      expect(status.stdout).toMatch(/^nats queue: {3}2$/m)
      const json = JSON.parse(outpost('sync', 'status', '--json', '--data-dir', natsDir).stdout) as {
        nats: unknown
      }
      expect(json.nats).toMatchObject({ enabled: true, connected: false, site: 'ops-2', queue_depth: 2 })
    } finally {
      rmSync(natsDir, { recursive: true, force: true })
    }
  })

  it('makes console tokens with a role on a core, shown once and stored only as a hash', () => {
    const bad = inDir('consoles', 'add', 'ws-1', '--role', 'boss')
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/role "boss": use one of viewer, analyst, admin/)
    const made = inDir('consoles', 'add', 'ws-1', '--role', 'viewer', '--json')
    expect(made.status).toBe(0)
    const { token, console } = JSON.parse(made.stdout) as { token: string; console: { role: string } }
    expect(token).toMatch(/^osync_[\w-]{32}$/)
    expect(console.role).toBe('viewer')
    expect(inDir('consoles', 'add', 'WS-1', '--role', 'admin').stderr).toMatch(/exists already/)
    const listed = inDir('consoles', 'list', '--json').stdout
    expect(listed).toContain('"name":"ws-1"')
    expect(listed).not.toContain(token)
    expect(inDir('consoles', 'revoke', 'ws-1').stdout).toBe('console ws-1 revoked\n')
  })
})
