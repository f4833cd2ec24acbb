import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRes, SettingsSnapshot } from '../contract'
import { DEFAULT_CONFIG_TEXT } from './config'
import { editConfigText } from './config-edit'
import { createCore, type Core } from './create-core'
import { changedFields, dataDirSource, maskSecret } from './settings'
import { callOk } from './test-core'

const dirs: string[] = []
const cores: Core[] = []
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-settings-'))
  dirs.push(dir)
  return dir
}
const start = async (dataDir = freshDir()): Promise<Core> => {
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const get = (core: Core) => callOk<SettingsSnapshot>(core, 'settings:get', {})
const update = async (core: Core, section: string, values: Record<string, unknown>, hash?: string) =>
  core.call('settings:update', { section, values, base_hash: hash ?? (await get(core)).hash })
const commentLines = (text: string): string[] =>
  text.split('\n').filter((line) => line.trimStart().startsWith('#') || line.includes(' # '))

describe('editConfigText', () => {
  it('changes only the lines of the values set, comments and spacing kept', () => {
    const { text } = editConfigText(DEFAULT_CONFIG_TEXT, ['listeners', 'syslog_tcp'], {
      port: 6000,
      allow_cidrs: ['10.0.0.0/8'],
    })
    const before = DEFAULT_CONFIG_TEXT.split('\n')
    const after = text.split('\n')
    expect(after.length).toBe(before.length + 1)
    const tcp = before.indexOf('  syslog_tcp:')
    // The port replaced where it stood; the new key after the section's last line.
    expect(after[tcp + 3]).toBe('    port: 6000')
    expect(after[tcp + 6]).toBe('    allow_cidrs: [10.0.0.0/8]')
    expect([...after.slice(0, tcp + 3), ...after.slice(tcp + 4, tcp + 6), ...after.slice(tcp + 7)]).toEqual([
      ...before.slice(0, tcp + 3),
      ...before.slice(tcp + 4),
    ])
  })

  it('keeps a trailing comment, merges nested maps and keeps flow lists flow', () => {
    const { text, value } = editConfigText(DEFAULT_CONFIG_TEXT, ['detection'], {
      incidents: { group_by: ['host', 'user'] },
    })
    expect(editConfigText(DEFAULT_CONFIG_TEXT, ['archive'], { max_age_days: 30 }).text).toContain(
      '  max_age_days: 30     # drop archived events',
    )
    expect(text).toContain('    group_by: [host, user] # alerts sharing these')
    expect(text).toContain('    window_s: 3600        # ... whose last alert')
    expect(text).toContain('    min_level: high       # alerts at or above')
    expect((value as { detection: { incidents: unknown } }).detection.incidents).toEqual({
      min_level: 'high',
      group_by: ['host', 'user'],
      window_s: 3600,
    })
  })

  it('makes sections missing from the file, and refuses a file that is not YAML', () => {
    const { text } = editConfigText('# mine\napi:\n  port: 7000\n', ['ui'], { banner: { text: 'X' } })
    expect(text).toMatch(/^# mine\napi:\n {2}port: 7000\n/)
    expect(editConfigText(text, [], {}).value).toEqual({ api: { port: 7000 }, ui: { banner: { text: 'X' } } })
    expect(() => editConfigText('api: [\n', ['api'], { port: 1 })).toThrow(/invalid YAML/)
  })
})

describe('settings helpers', () => {
  it('lists changed fields, a banner as one', () => {
    expect(
      changedFields(
        { ui: { banner: null }, api: { port: 1, host: 'a' } },
        { ui: { banner: { text: 'x' } }, api: { port: 2, host: 'a' } },
      ),
    ).toEqual(['api.port', 'ui.banner'])
  })
  it('masks secrets to their end', () => {
    expect(maskSecret('osync_0123456789abcdef')).toBe('…cdef')
    expect(maskSecret('short')).toBe('…')
  })
  it('says where the data dir came from', () => {
    expect(dataDirSource('/x/data', { OUTPOST_DATA_DIR: '/x/data' })).toMatch(/^Set by \$OUTPOST_DATA_DIR/)
    expect(dataDirSource('/x/data', { HOME: '/home/u' })).toMatch(/^Given with --data-dir/)
  })
})

describe('settings:get and settings:update', () => {
  it('shows the data dir, the file, effective values, what applies live and the certificates', async () => {
    const dataDir = freshDir()
    const core = await start(dataDir)
    const settings = await get(core)
    expect(settings.data_dir).toBe(dataDir)
    expect(settings.config_file).toBe(join(dataDir, 'config.yaml'))
    expect(settings.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(settings.file_error).toBeNull()
    expect(settings.restart_required).toEqual([])
    expect((settings.config.listeners as Record<string, { port: number }>).syslog_tcp!.port).toBe(5514)
    expect(settings.sections.find((s) => s.section === 'ui')?.live).toEqual(['ui.banner'])
    expect(settings.sections.find((s) => s.section === 'listeners.http')?.live).toEqual([])
    expect(settings.certificates).toContainEqual(
      expect.objectContaining({ setting: 'listeners.syslog_tls.cert_file', error: 'no such file' }),
    )
  })

  it('refuses an invalid port naming the field and how to fix it, and leaves the file as it was', async () => {
    const dataDir = freshDir()
    const core = await start(dataDir)
    const file = join(dataDir, 'config.yaml')
    const before = readFileSync(file, 'utf8')
    const result = await update(core, 'listeners.syslog_tcp', { port: 99999 })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!result.ok)
      expect(result.error.message).toBe(
        'listeners.syslog_tcp.port: a port is at most 65535: choose a free one from 1024 to 65535 (nothing was saved)',
      )
    const typo = await update(core, 'listeners.syslog_tcp', { prot: 6000 })
    if (!typo.ok) expect(typo.error.message).toMatch(/^listeners\.syslog_tcp: Unrecognized key: "prot"/)
    expect(typo.ok).toBe(false)
    const text = await update(core, 'listeners.syslog_tcp', { port: '6000' })
    if (!text.ok) expect(text.error.message).toMatch(/^listeners\.syslog_tcp\.port: a port number from 1 to/)
    expect(readFileSync(file, 'utf8')).toBe(before)
    expect(existsSync(`${file}.bak`)).toBe(false)
  })

  it('saves a valid change in place, keeps the comments and a .bak, and says it needs a restart', async () => {
    const dataDir = freshDir()
    const core = await start(dataDir)
    const file = join(dataDir, 'config.yaml')
    const before = readFileSync(file, 'utf8')
    const saved = await callOk<CallRes<'settings:update'>>(core, 'settings:update', {
      section: 'listeners.syslog_tcp',
      values: { port: 6001, rate_limit_eps: 500 },
      base_hash: (await get(core)).hash,
    })
    expect(saved.changed).toEqual(['listeners.syslog_tcp.port', 'listeners.syslog_tcp.rate_limit_eps'])
    expect(saved.applied).toEqual([])
    expect(saved.restart).toEqual(saved.changed)
    expect(saved.settings.restart_required).toEqual(saved.changed)
    const after = readFileSync(file, 'utf8')
    expect(commentLines(after)).toEqual(commentLines(before))
    expect(after).toContain('    port: 6001')
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(before)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(`${file}.bak`).mode & 0o777).toBe(0o600)
    // Still what runs until the restart; the next start reads it.
    expect(core.config.listeners.syslog_tcp.port).toBe(5514)
    await core.stop()
    const again = await start(dataDir)
    expect(again.config.listeners.syslog_tcp.port).toBe(6001)
    expect((await get(again)).restart_required).toEqual([])
  })

  it('refuses with conflict when the file changed on disk since it was read', async () => {
    const dataDir = freshDir()
    const core = await start(dataDir)
    const file = join(dataDir, 'config.yaml')
    const { hash } = await get(core)
    writeFileSync(file, `${readFileSync(file, 'utf8')}# edited by hand\n`)
    const handEdited = readFileSync(file, 'utf8')
    const result = await update(core, 'archive', { max_age_days: 30 }, hash)
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } })
    if (!result.ok) expect(result.error.message).toMatch(/changed on disk.*reload the settings/)
    expect(readFileSync(file, 'utf8')).toBe(handEdited)
    // A hand edit that breaks the file is shown, not hidden.
    writeFileSync(file, 'listeners:\n  http:\n    port: -1\n')
    expect((await get(core)).file_error).toMatch(/listeners\.http\.port/)
  })

  it('applies the banner and retention at once, without a restart', async () => {
    const core = await start()
    const pushed: unknown[] = []
    core.subscribe((name, payload) => {
      if (name === 'settings:changed') pushed.push(payload)
    })
    const saved = await callOk<CallRes<'settings:update'>>(core, 'settings:update', {
      section: 'ui',
      values: { banner: { text: 'TLP:AMBER', color: 'tlp-amber' } },
      base_hash: (await get(core)).hash,
    })
    expect(saved).toMatchObject({ applied: ['ui.banner'], restart: [] })
    const info = await callOk<CallRes<'system:info'>>(core, 'system:info', {})
    expect(info.ui.banner).toEqual({ text: 'TLP:AMBER', color: '#ffc000' })
    // Every window hears of it (and reloads its banner).
    expect(pushed).toEqual([{ applied: ['ui.banner'], restart_required: [] }])
    const bad = await update(core, 'ui', { banner: { text: '  ', color: 'tlp-amber' } })
    if (!bad.ok) expect(bad.error.message).toMatch(/^ui\.banner\.text: the banner needs its text/)
    expect(bad.ok).toBe(false)
    await callOk(core, 'settings:update', {
      section: 'storage',
      values: { hot_days: 7 },
      base_hash: (await get(core)).hash,
    })
    expect((await callOk<CallRes<'system:info'>>(core, 'system:info', {})).settings.retention.hot_days).toBe(
      7,
    )
    expect((await get(core)).restart_required).toEqual([])
  })

  it('never returns a secret in full, and keeps it when its masked form comes back', async () => {
    const dataDir = freshDir()
    const token = 'osync_secret-console-token-1234'
    writeFileSync(join(dataDir, 'config.yaml'), `connector:\n  token: ${token}\n`)
    const core = await start(dataDir)
    const settings = await get(core)
    expect(JSON.stringify(settings)).not.toContain('secret-console')
    const shown = (settings.config.connector as { token: string }).token
    expect(shown).toBe('…1234')
    await callOk(core, 'settings:update', {
      section: 'connector',
      values: { token: shown, interval_s: 30 },
      base_hash: settings.hash,
    })
    expect(readFileSync(join(dataDir, 'config.yaml'), 'utf8')).toBe(
      `connector:\n  token: ${token}\n  interval_s: 30\n`,
    )
  })

  it('refuses to turn on TLS without a readable certificate, naming the file setting', async () => {
    const core = await start()
    const result = await update(core, 'listeners.syslog_tls', { enabled: true })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!result.ok)
      expect(result.error.message).toMatch(/^listeners\.syslog_tls\.cert_file: cannot read .*no such file/)
  })
})
