import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Config, DEFAULT_CONFIG_TEXT, loadConfig, parseConfig } from './config'
import { StartupError } from './errors'

describe('config', () => {
  it('the commented default file says exactly the schema defaults', () => {
    expect(parseConfig(DEFAULT_CONFIG_TEXT, 'config.yaml')).toEqual(Config.parse({}))
    expect(DEFAULT_CONFIG_TEXT.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(5)
  })

  it('writes the default on first run and reads edits after', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'outpost-config-')), 'config.yaml')
    expect(loadConfig(file).api.port).toBe(7480)
    expect(readFileSync(file, 'utf8')).toBe(DEFAULT_CONFIG_TEXT)
    writeFileSync(file, 'api:\n  port: 9000\n')
    const config = loadConfig(file)
    expect(config.api.port).toBe(9000)
    expect(config.listeners.http.port).toBe(5080) // untouched sections keep their defaults
  })

  it.each([
    ['api:\n  port: "high"\n', /config\.yaml: api\.port: .*number/],
    ['api:\n  port: 70000\n', /config\.yaml: api\.port: .*65535/],
    ['listners:\n  http: {}\n', /config\.yaml: .*listners/],
    ['storage:\n  sqlite_synchronous: off\n', /storage\.sqlite_synchronous/],
    ['api:\n  port: [1\n', /config\.yaml: line \d+, column \d+ invalid YAML/],
  ])('names the file, the key and the reason for %j', (text, message) => {
    expect(() => parseConfig(text, 'config.yaml')).toThrow(StartupError)
    expect(() => parseConfig(text, 'config.yaml')).toThrow(message)
  })
})

describe('ui.banner', () => {
  it('is off by default; a preset or #rrggbb colours it', async () => {
    const { bannerColor } = await import('./config')
    expect(Config.parse({}).ui.banner).toBeNull()
    const amber = parseConfig('ui:\n  banner: { text: "TLP:AMBER", color: tlp-amber }\n', 'config.yaml')
    expect(amber.ui.banner).toEqual({ text: 'TLP:AMBER', color: 'tlp-amber' })
    expect(bannerColor('tlp-amber')).toBe('#ffc000')
    const custom = parseConfig('ui:\n  banner: { text: "UNCLASSIFIED//FOUO", color: "#123abc" }\n', 'c.yaml')
    expect(bannerColor(custom.ui.banner!.color)).toBe('#123abc')
    // Without a colour, the banner says unclassified (green).
    expect(parseConfig('ui:\n  banner: { text: "UNCLASSIFIED" }\n', 'c.yaml').ui.banner?.color).toBe(
      'unclassified',
    )
  })

  it.each([
    ['ui:\n  banner: { text: "" }\n', /ui\.banner\.text: the banner needs its text/],
    ['ui:\n  banner: { text: "X", color: red }\n', /ui\.banner\.color: .*#rrggbb or a preset/],
    ['ui:\n  banner: { text: "X", colour: "#ffffff" }\n', /ui\.banner.*colour/],
  ])('refuses %j with the key and the reason', (text, message) => {
    expect(() => parseConfig(text, 'config.yaml')).toThrow(message)
  })
})
