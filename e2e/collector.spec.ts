import { CollectorPage } from './pages/collector.page'
import { expect, test } from './fixtures'

test('the Collector view lists listeners, counts sources live, manages tokens and shows refused input', async ({
  page,
  outpost,
}) => {
  const collector = new CollectorPage(page)
  await collector.open(outpost.ready.url)
  for (const [name, port] of Object.entries(outpost.ready.listeners)) {
    await expect(collector.listeners.getByRole('row', { name: new RegExp(`^${name} `) })).toContainText(
      `127.0.0.1:${port}`,
    )
  }

  expect((await outpost.ingest([{ message: 'a' }, { message: 'b' }])).status).toBe(200)
  expect((await outpost.ingest('{"broken": ')).status).toBe(400)
  const httpRow = collector.sources.getByRole('row', { name: /^http 127\.0\.0\.1/ })
  await expect(httpRow).toContainText('2', { timeout: 5000 }) // refreshed every 2 s
  await expect(collector.refused).toContainText('invalid JSON at line 1, column 12', { timeout: 5000 })

  await collector.createToken('e2e-forwarder')
  const row = collector.tokens.getByRole('row', { name: /e2e-forwarder/ })
  await expect(row).toContainText('active')
  await row.getByRole('button', { name: 'Revoke token e2e-forwarder' }).click()
  await expect(row).toContainText('revoked')

  await collector.createToken('e2e-forwarder')
  await expect(collector.tokens.getByRole('alert')).toContainText(
    'a token named "e2e-forwarder" already exists',
  )
})
