import { EventsPage } from './pages/events.page'
import { expect, test } from './fixtures'

test('events POSTed to the collector appear live, newest first, within a second', async ({
  page,
  outpost,
}) => {
  const events = new EventsPage(page)
  await events.open(outpost.ready.url)
  await expect(events.connection).toContainText('live')
  await expect(events.empty).toBeVisible() // fresh data dir: the view says what to do next

  const batch = [1, 2, 3].map((n) => ({
    '@timestamp': `2026-11-22T10:00:0${n}Z`,
    message: `e2e event ${n}`,
    'host.name': `host-${n}`,
  }))
  const response = await outpost.ingest(batch)
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ accepted: 3 })

  // No reload: the pushed events must be on screen within 1 s of the acknowledgement.
  await expect(events.rows).toHaveCount(3, { timeout: 1000 })
  await expect(events.rows.nth(0)).toContainText('e2e event 3')
  await expect(events.rows.nth(2)).toContainText('e2e event 1')
  await expect(events.total).toHaveText('3 stored')
})

test('an NDJSON batch arrives and an event opens with its original fields', async ({ page, outpost }) => {
  const events = new EventsPage(page)
  await events.open(outpost.ready.url)
  await expect(events.connection).toContainText('live')
  const ndjson =
    '{"message":"first","user":{"name":"alice"}}\n{"message":"second","Image":"C:\\\\Windows\\\\cmd.exe"}\n'
  expect((await outpost.ingest(ndjson)).status).toBe(200)
  await expect(events.rows).toHaveCount(2, { timeout: 1000 })
  await events.rowWithMessage('second').click()
  const detail = page.getByRole('complementary', { name: 'Event detail' })
  await expect(detail).toContainText('C:\\\\Windows\\\\cmd.exe')
})

test('without the token the console refuses to load and says where the token is', async ({
  page,
  outpost,
}) => {
  const response = await page.goto(outpost.ready.api + '/')
  expect(response?.status()).toBe(401)
  await expect(page.getByRole('heading', { name: 'Outpost needs its access token' })).toBeVisible()
})

test('the page runs under the strict CSP with no console errors', async ({ page, outpost }) => {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  const events = new EventsPage(page)
  await events.open(outpost.ready.url)
  await expect(events.connection).toContainText('live')
  await page.getByRole('link', { name: 'System' }).click()
  await expect(page.getByLabel('System information')).toContainText(
    `http: 127.0.0.1:${outpost.ready.listeners.http}`,
  )
  expect(problems).toEqual([])
})
