import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { callPath, type CallName, type CallReq, type CallRes, type Result } from '../collector/contract'
import { spawnServe, type ServeProcess } from '../collector/host/serve-process'
import { COLLECTION_ID } from '../collector/sync/taxii/server'
import { seriousViolations } from './axe'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { AlertsPage } from './pages/alerts.page'

const call = async <K extends CallName>(
  serve: ServeProcess,
  name: K,
  req: CallReq<K>,
): Promise<CallRes<K>> => {
  const response = await fetch(serve.ready.api + callPath(name), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serve.ready.token}` },
    body: JSON.stringify(req),
  })
  const result = (await response.json()) as Result<CallRes<K>>
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`)
  return result.value
}

const dnsQuery = (host: string, name: string, time: string) => ({
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  EventID: 22,
  Computer: host,
  UtcTime: time,
  '@timestamp': time,
  Image: 'C:\\Windows\\System32\\svchost.exe',
  QueryName: name,
  QueryResults: '::ffff:198.51.100.23;',
})

test('with nothing configured, the Sync view says how to add a TAXII source and fill the watchlist', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await page.goto(`${outpost.ready.url}#/sync`)
  const sources = page.getByRole('region', { name: 'TAXII sources' })
  const note = sources.getByRole('note', { name: 'No TAXII sources' })
  await expect(note).toContainText('taxii.sources')
  await expect(note).toContainText(join(outpost.dataDir, 'config.yaml'))
  await expect(page.getByRole('note', { name: 'Empty watchlist' })).toContainText('watchlist:add')
  expect(await seriousViolations(page)).toEqual([])

  // An analyst's indicator appears once the view reloads, filterable.
  await outpost.call('watchlist:add', { type: 'domain', value: 'evil.example', source: 'CERT' })
  await outpost.call('watchlist:add', {
    type: 'ip',
    value: '203.0.113.7',
    valid_until: '2030-01-01T00:00:00Z',
  })
  await page.reload()
  const grid = page.getByRole('grid', { name: 'Watchlist' })
  await expect(grid.getByRole('row')).toHaveCount(3)
  await expect(page.getByLabel('Watchlist count')).toHaveText('2 indicators')
  await page.getByLabel('Filter the watchlist').fill('203.0')
  await expect(grid.getByRole('row')).toHaveCount(2)
  await expect(grid.getByRole('row').nth(1)).toContainText('2030-01-01')
  await page.getByLabel('Filter the watchlist').fill('nothing-like-it')
  await expect(page.getByText('No indicator matches')).toBeVisible()
  expect(problems).toEqual([])
})

test('indicators pulled from a TAXII source raise IOC alerts on matching events', async ({ page }) => {
  test.setTimeout(60_000)
  const problems = watchConsole(page)
  // The feed: another Outpost serving a published report over TAXII 2.1.
  const feedDir = mkdtempSync(join(tmpdir(), 'outpost-e2e-feed-'))
  const consoleDir = mkdtempSync(join(tmpdir(), 'outpost-e2e-ioc-'))
  const feed = await spawnServe(['--data-dir', feedDir, '--port', '0'])
  let outpost: ServeProcess | undefined
  try {
    const { report } = await call(feed, 'reports:create', {
      title: 'C2 over DNS',
      body: 'beacons',
      tlp: 'green',
      observables: [
        { type: 'domain', value: 'c2.evil.example' },
        { type: 'ipv4', value: '198.51.100.23' },
      ],
    })
    await call(feed, 'reports:update', { id: report.id, version: 1, status: 'review' })
    await call(feed, 'reports:update', { id: report.id, version: 2, status: 'published' })
    writeFileSync(
      join(consoleDir, 'config.yaml'),
      [
        'taxii:',
        '  sources:',
        '    - name: partner-feed',
        `      url: ${feed.ready.api}/taxii2/outpost/collections/${COLLECTION_ID}/objects/`,
        `      token: ${feed.ready.token}`,
        '',
      ].join('\n'),
    )
    outpost = await spawnServe(['--data-dir', consoleDir, '--port', '0'])

    await page.goto(`${outpost.ready.url}#/sync`)
    const row = page.getByRole('row', { name: 'TAXII source partner-feed' })
    await expect(row).toContainText(`/collections/${COLLECTION_ID}/objects/`)
    await row.getByRole('button', { name: 'Pull now: partner-feed' }).click()
    await expect(row.getByRole('cell').nth(3)).toHaveText('2')
    await expect(row).toContainText('none')
    const grid = page.getByRole('grid', { name: 'Watchlist' })
    await expect(grid.getByRole('row').filter({ hasText: 'taxii:partner-feed' })).toHaveCount(2)
    await expect(grid).toContainText('c2.evil.example')
    expect(await seriousViolations(page)).toEqual([])

    // A host resolving a subdomain of the listed name: one alert, repeats counted.
    const listener = outpost.ready.listeners.http!
    const ingest = (events: unknown[]) =>
      fetch(`http://127.0.0.1:${listener}/v1/events`, { method: 'POST', body: JSON.stringify(events) })
    expect(
      (
        await ingest([
          dnsQuery('ws-7', 'www.c2.evil.example', '2026-12-07T10:00:00.000Z'),
          dnsQuery('ws-7', 'www.c2.evil.example', '2026-12-07T10:00:05.000Z'),
          dnsQuery('ws-7', 'benign.example', '2026-12-07T10:00:06.000Z'),
        ])
      ).status,
    ).toBe(200)
    const alerts = new AlertsPage(page)
    await alerts.open(outpost.ready.url)
    const domainAlert = alerts.row('Watchlist match: domain c2.evil.example')
    await expect(domainAlert).toHaveCount(1)
    await expect(alerts.row('Watchlist match: ip 198.51.100.23')).toHaveCount(1)
    await domainAlert.click()
    const indicator = alerts.detail.getByLabel('The indicator matched')
    await expect(indicator).toContainText('QueryName')
    await expect(indicator).toContainText('www.c2.evil.example')
    await expect(indicator).toContainText('indicator--')
    await expect(alerts.detail).toContainText('taxii:partner-feed')
    const { alerts: listed } = await call(outpost, 'alerts:list', { limit: 10 })
    expect(listed.find((a) => a.title === 'Watchlist match: domain c2.evil.example')?.count).toBe(2)
    // Before the servers stop: the page would then log its reconnects.
    expect(problems).toEqual([])
    await page.goto('about:blank')
  } finally {
    if (outpost) await outpost.stop()
    await feed.stop()
    rmSync(feedDir, { recursive: true, force: true })
    rmSync(consoleDir, { recursive: true, force: true })
  }
})
