import { generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { seriousViolations } from './axe'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'

const otherPublicKey = (): string =>
  'ed25519:' +
  generateKeyPairSync('ed25519')
    .publicKey.export({ format: 'der', type: 'spki' })
    .subarray(-32)
    .toString('base64')

test('System view: own key, trusted keys, a bundle exported, previewed as a diff and imported once', async ({
  page,
  outpost,
}) => {
  test.setTimeout(60_000)
  const problems = watchConsole(page)
  await outpost.call('reports:create', { title: 'E2E bundle report' })
  await page.goto(outpost.ready.url)
  await page.getByRole('link', { name: 'System' }).click()
  const panel = page.getByRole('region', { name: 'Bundles' })
  await expect(panel.getByLabel('Own key fingerprint')).toHaveText(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/)
  const ownKey = (await panel.getByLabel('Own public key').textContent()) ?? ''

  // A bad key is refused beside the form; a good one is listed, then revoked.
  await panel.getByLabel('Trusted key name').fill('field-kit')
  await panel.getByLabel('Trusted public key').fill('ed25519:nope')
  await panel.getByRole('button', { name: 'Trust key' }).click()
  await expect(panel.getByRole('alert', { name: 'Key problem' })).toContainText('not an Ed25519 public key')
  await panel.getByLabel('Trusted public key').fill(otherPublicKey())
  await panel.getByRole('button', { name: 'Trust key' }).click()
  const keys = panel.getByRole('table', { name: 'Trusted keys' })
  await expect(keys).toContainText('field-kit')
  await panel.getByRole('button', { name: 'Revoke key field-kit' }).click()
  await expect(keys).not.toContainText('field-kit')

  // This installation's own bundle, imported back once its key is trusted (as a second site would).
  await panel.getByLabel('Trusted key name').fill('self')
  await panel.getByLabel('Trusted public key').fill(ownKey)
  await panel.getByLabel('Trusted key scope').selectOption('records')
  await panel.getByRole('button', { name: 'Trust key' }).click()
  await expect(keys).toContainText('self')
  const file = join(outpost.dataDir, 'e2e.bundle')
  await panel.getByLabel('Export bundle file').fill(file)
  await panel.getByRole('button', { name: 'Export bundle' }).click()
  await expect(panel.getByRole('status', { name: 'Export result' })).toContainText(`Wrote ${file}`)

  await panel.getByLabel('Import bundle file').fill(file)
  await panel.getByRole('button', { name: 'Preview' }).click()
  const preview = panel.getByRole('table', { name: 'Bundle preview' })
  await expect(preview).toContainText('report')
  await expect(panel.getByRole('status', { name: 'Import summary' })).toContainText(/Would import: \d+ new/)
  expect(await seriousViolations(page)).toEqual([])
  await panel.getByRole('button', { name: 'Import bundle' }).click()
  await expect(panel.getByRole('status', { name: 'Import summary' })).toContainText(/Imported: [1-9]\d* new/)
  await panel.getByRole('button', { name: 'Preview' }).click()
  await expect(panel.getByRole('status', { name: 'Import summary' })).toContainText(
    /Would import: 0 new, 0 changed, 0 conflicts, \d+ already present/,
  )
  // The one refusal on purpose (the bad key) is the browser's only console line.
  expect(problems).toEqual([
    'Failed to load resource: the server responded with a status of 400 (Bad Request)',
  ])
})
