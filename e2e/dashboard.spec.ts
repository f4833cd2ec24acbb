import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'

test('the dashboard is the landing view and shows seeded events by severity, host and listener', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const now = Date.now()
  const batch = Array.from({ length: 12 }, (_, i) => ({
    '@timestamp': new Date(now - i * 5 * 60_000 - 1000).toISOString(),
    message: `dashboard e2e ${i}`,
    'host.name': i < 8 ? 'dash-web01' : 'dash-db01',
    'user.name': 'carol',
    severity: i % 4 === 0 ? 'high' : 'info',
  }))
  expect((await outpost.ingest(batch)).status).toBe(200)
  await expect
    .poll(async () => (await outpost.call('archive:status', {})).events, { timeout: 15_000 })
    .toBe(12)

  await page.goto(outpost.ready.url)
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page')
  await expect(page.getByLabel('Events in range')).toHaveText('12 events')

  const hosts = page.getByRole('region', { name: 'Top hosts' })
  await expect(hosts.getByRole('listitem')).toHaveCount(2)
  await expect(hosts.getByRole('listitem').first()).toContainText('dash-web01')
  await expect(hosts.getByRole('listitem').first()).toContainText('8')
  await expect(hosts.getByRole('link', { name: 'dash-web01' })).toHaveAttribute(
    'href',
    '#/assets?id=host%3Adash-web01',
  )
  await expect(page.getByRole('region', { name: 'Top users' })).toContainText('carol')
  await expect(
    page
      .getByRole('region', { name: 'Events by severity' })
      .getByRole('img', { name: 'Chart of events by severity' }),
  ).toBeVisible()
  await expect(
    page.getByRole('region', { name: 'Events by severity' }).locator('.recharts-area'),
  ).toHaveCount(2)
  await expect(page.getByRole('region', { name: 'Events by listener' })).toContainText('http')
  await expect(page.getByRole('region', { name: 'Collector health' }).getByRole('table')).toContainText(
    'http',
  )
  await expect(page.getByRole('region', { name: 'Events per second' })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Open alerts by level' })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Incidents by status' })).toBeVisible()
  await expect(page.getByRole('region', { name: 'ATT&CK tactics' })).toBeVisible()

  // Live: more events arrive and the count follows without a reload (throttled to every 5 s).
  expect((await outpost.ingest([{ message: 'dashboard e2e late', 'host.name': 'dash-web01' }])).status).toBe(
    200,
  )
  await expect(page.getByLabel('Events in range')).toHaveText('13 events', { timeout: 12_000 })

  await page.getByRole('combobox', { name: 'Dashboard time range' }).selectOption('15m')
  await expect(page.getByLabel('Events in range')).toHaveText('4 events')
  expect(problems).toEqual([])
})
