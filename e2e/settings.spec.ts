import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { seriousViolations } from './axe'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'

const comments = (text: string): string[] =>
  text.split('\n').filter((line) => line.trimStart().startsWith('#') || line.includes(' # '))

test('Settings edits config.yaml: a bad port is named and nothing is saved; a good one is saved with the comments kept, awaiting a restart; the banner applies at once', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const file = join(outpost.dataDir, 'config.yaml')
  const original = readFileSync(file, 'utf8')
  await page.goto(`${outpost.ready.url}#/settings`)
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Data' })).toContainText(outpost.dataDir)
  await expect(page.getByRole('region', { name: 'Data' })).toContainText('--data-dir')

  const tcp = page.getByRole('form', { name: 'Listener syslog_tcp' })
  await expect(tcp.getByLabel('Port', { exact: true })).toHaveValue('5514')
  await tcp.getByLabel('Port', { exact: true }).fill('99999')
  await tcp.getByRole('button', { name: 'Save listener syslog_tcp' }).click()
  await expect(tcp.getByRole('alert', { name: 'Port problem' })).toHaveText(
    'a port is at most 65535: choose a free one from 1024 to 65535',
  )
  await expect(tcp.getByLabel('Port', { exact: true })).toHaveAttribute('aria-invalid', 'true')
  expect(readFileSync(file, 'utf8')).toBe(original)
  await expect(page.getByRole('status', { name: 'Restart required' })).toHaveCount(0)

  await tcp.getByLabel('Port', { exact: true }).fill('6002')
  await tcp.getByRole('button', { name: 'Save listener syslog_tcp' }).click()
  await expect(page.getByRole('status', { name: 'Restart required' })).toContainText(
    'listeners.syslog_tcp.port',
  )
  await expect(tcp.getByRole('alert', { name: 'Port problem' })).toHaveCount(0)
  const saved = readFileSync(file, 'utf8')
  expect(saved).toContain('  syslog_tcp:\n    enabled: true\n    host: 127.0.0.1\n    port: 6002\n')
  expect(comments(saved)).toEqual(comments(original))
  expect(readFileSync(`${file}.bak`, 'utf8')).toBe(original)

  // The banner needs no restart: it tops the views as soon as it is saved, in other windows too.
  const other = await page.context().newPage()
  await other.goto(`${outpost.ready.url}#/dashboard`)
  await expect(other.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible()
  const banner = page.getByRole('form', { name: 'Banner' })
  await banner.getByLabel('Banner text').fill('TLP:AMBER')
  await banner.getByLabel('Banner colour').selectOption('tlp-amber')
  await banner.getByRole('button', { name: 'Save banner' }).click()
  await expect(page.getByRole('note', { name: 'Classification' })).toHaveText('TLP:AMBER')
  await expect(other.getByRole('note', { name: 'Classification' })).toHaveText('TLP:AMBER')
  await other.close()
  await expect(page.getByRole('status', { name: 'Restart required' })).not.toContainText('ui.banner')
  expect(readFileSync(file, 'utf8')).toContain('  banner: {text: TLP:AMBER, color: tlp-amber}\n')

  // Edited by hand meanwhile: the next save is refused, not lost over the hand edit.
  writeFileSync(file, `${readFileSync(file, 'utf8')}# a hand edit\n`)
  const archive = page.getByRole('form', { name: 'Archive' })
  await archive.getByLabel('Maximum age (days)').fill('30')
  await archive.getByRole('button', { name: 'Save archive' }).click()
  await expect(archive.getByRole('alert', { name: 'Archive problem' })).toContainText('changed on disk')
  expect(readFileSync(file, 'utf8')).toMatch(/# a hand edit\n$/)

  await page.screenshot({ path: test.info().outputPath('settings.png'), fullPage: true })
  expect(await seriousViolations(page)).toEqual([])
  // The browser logs the two refusals the test asked for; nothing else went wrong.
  expect(problems).toEqual([
    'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    'Failed to load resource: the server responded with a status of 409 (Conflict)',
  ])
})

test('Settings edits lists row by row (a bad row named beside it) and webhook destinations apply at once', async ({
  page,
  outpost,
}) => {
  const file = join(outpost.dataDir, 'config.yaml')
  await page.goto(`${outpost.ready.url}#/system`)
  const panel = page.getByRole('region', { name: 'Webhooks' })
  await expect(panel).toContainText('Off: no destination is allowed')

  await page.goto(`${outpost.ready.url}#/settings`)
  const webhooks = page.getByRole('form', { name: 'Webhooks' })
  await webhooks.getByRole('button', { name: 'Add an allowed destination' }).click()
  await webhooks.getByLabel('Allowed destinations 1', { exact: true }).fill('http://127.0.0.1:5678/webhook/')
  await webhooks.getByRole('button', { name: 'Add an allowed destination' }).click()
  await webhooks.getByLabel('Allowed destinations 2', { exact: true }).fill('ftp://files.example.org/')
  await webhooks.getByRole('button', { name: 'Save webhooks' }).click()
  await expect(webhooks.getByRole('alert', { name: 'Allowed destinations 2 problem' })).toBeVisible()
  await expect(webhooks.getByLabel('Allowed destinations 2', { exact: true })).toHaveAttribute(
    'aria-invalid',
    'true',
  )
  expect(readFileSync(file, 'utf8')).toContain('  allow: []')

  await webhooks.getByRole('button', { name: 'Remove Allowed destinations 2' }).click()
  await webhooks.getByRole('button', { name: 'Save webhooks' }).click()
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText(
    'Saved and applied: webhooks.allow',
  )
  await expect(webhooks.getByLabel('Allowed destinations 2', { exact: true })).toHaveCount(0)
  expect(readFileSync(file, 'utf8')).toContain('  allow: [http://127.0.0.1:5678/webhook/]')
  await expect(page.getByRole('status', { name: 'Restart required' })).toHaveCount(0)

  // A TAXII source: a row of fields, its token shown only by its end once saved.
  const taxii = page.getByRole('form', { name: 'TAXII' })
  await taxii.getByRole('button', { name: 'Add a TAXII source' }).click()
  const source = taxii.getByRole('listitem', { name: 'TAXII source 1' })
  await source.getByLabel('Name', { exact: true }).fill('partner')
  await source
    .getByLabel('URL', { exact: true })
    .fill('https://taxii.example.org/api1/collections/c1/objects/')
  await source.getByLabel('Token', { exact: true }).fill('taxii-secret-token-abcd')
  await taxii.getByRole('button', { name: 'Save taxii' }).click()
  // Applied to the running puller: no restart waits for it.
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText(
    'Saved and applied: taxii.sources',
  )
  await expect(page.getByRole('status', { name: 'Restart required' })).toHaveCount(0)
  await expect(source.getByLabel('Token', { exact: true })).toHaveAttribute(
    'placeholder',
    'unchanged (…abcd)',
  )
  expect(readFileSync(file, 'utf8')).toContain('taxii-secret-token-abcd')

  // The webhook destination took effect without a restart: the System view says so and takes one.
  await page.getByRole('link', { name: 'System' }).click()
  await expect(panel).toContainText('Allowed destinations: http://127.0.0.1:5678/webhook/')
  expect(await seriousViolations(page)).toEqual([])
})
