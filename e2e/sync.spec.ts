import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OUTPOST_BIN, spawnServe } from '../collector/host/serve-process'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'

test('a console connects to a core, pushes its work, pulls an operation and resolves a conflict', async ({
  page,
  outpost,
}) => {
  test.setTimeout(60_000)
  const problems = watchConsole(page)
  const coreDir = mkdtempSync(join(tmpdir(), 'outpost-e2e-core-'))
  const { token } = JSON.parse(
    execFileSync(process.execPath, [
      OUTPOST_BIN,
      ...['sync', 'consoles', 'add', 'e2e-console', '--role', 'analyst', '--data-dir', coreDir, '--json'],
    ]).toString(),
  ) as { token: string }
  const core = await spawnServe(['--data-dir', coreDir, '--port', '0', '--role', 'core'])
  const coreCall = async <T>(name: string, req: unknown): Promise<T> => {
    const res = await fetch(`${core.ready.api}/api/${name.replace(':', '/')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${core.ready.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(req),
    })
    return ((await res.json()) as { value: T }).value
  }
  try {
    await outpost.call('reports:create', { title: 'Sitrep for the core' })
    await page.goto(`${outpost.ready.url}#/sync`)
    await expect(page.getByRole('heading', { name: 'Sync', exact: true })).toBeVisible()
    const details = page.getByLabel('Queue depth', { exact: true })
    await expect(page.getByLabel('Sync status details')).toContainText('Not configured')
    await expect(page.getByLabel('NATS publishing', { exact: true })).toHaveText(
      'Off (nats.enabled in config.yaml)',
    )
    await expect(details).toHaveText('2')
    await expect(page.getByLabel('Bundle channel', { exact: true })).toHaveText(
      'two-way (bundles.mode in config.yaml)',
    )
    await expect(page.getByLabel('Last bundle export', { exact: true })).toHaveText('never')

    // Refusals beside their fields: a URL that is not http(s), then a token the core does not know.
    await page.getByLabel('Core URL', { exact: true }).fill('ftp://core')
    await page.getByLabel('Console token', { exact: true }).fill(token)
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await expect(page.getByRole('alert', { name: 'Core URL problem' })).toContainText(
      'use an http:// or https://',
    )
    await page.getByLabel('Core URL', { exact: true }).fill(core.ready.api)
    await page.getByLabel('Console token', { exact: true }).fill('osync_not-a-real-token')
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await expect(page.getByRole('alert', { name: 'Console token problem' })).toContainText('401')
    await page.getByLabel('Console token', { exact: true }).fill(token)
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await expect(page.getByLabel('Sync status details')).toContainText('as e2e-console (analyst)')

    await page.getByRole('button', { name: 'Push now' }).click()
    await expect(details).toHaveText('0')
    await expect(page.getByRole('status').filter({ hasText: 'Pushed' })).toBeVisible()

    // The core makes an operation; the console pulls it, and both then change it.
    const { operation } = await coreCall<{ operation: { id: string } }>('operations:create', {
      name: 'Op Kestrel',
    })
    await page.getByRole('button', { name: 'Pull now' }).click()
    await expect(page.getByRole('status').filter({ hasText: 'Pulled 1' })).toBeVisible()
    await outpost.call('operations:update', { id: operation.id, name: 'Op Kestrel (console)' })
    await coreCall('operations:update', { id: operation.id, name: 'Op Kestrel (core)' })
    await page.getByRole('button', { name: 'Pull now' }).click()
    const card = page.getByRole('article', { name: `Conflict on operation ${operation.id}` })
    await expect(card.getByLabel('Local version')).toContainText('Op Kestrel (console)')
    await expect(card.getByLabel('Remote version')).toContainText('Op Kestrel (core)')
    await card.getByRole('button', { name: `Keep local for operation ${operation.id}` }).click()
    await expect(page.getByText('No open conflicts.')).toBeVisible()
    const { operations } = await outpost.call('operations:list', {})
    expect(operations.find((o) => o.id === operation.id)?.name).toBe('Op Kestrel (console)')
  } finally {
    await core.stop()
    rmSync(coreDir, { recursive: true, force: true })
  }
  const refused = 'Failed to load resource: the server responded with a status of 400 (Bad Request)'
  expect(problems).toEqual([refused, refused])
})
