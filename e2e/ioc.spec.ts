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
    // A pulled list is not edited here, and the row says why.
    const pulled = grid.getByRole('row', { name: 'taxii:partner-feed domain c2.evil.example' })
    await expect(pulled).toContainText('read-only: pulled from the TAXII source partner-feed')
    await expect(pulled.getByRole('button')).toHaveCount(0)
    expect(await seriousViolations(page)).toEqual([])

    // A host resolving a subdomain of the listed name: one alert, repeats counted.
    const listener = outpost.ready.listeners.http!
    const ingest = (events: unknown[]) =>
      fetch(`http://127.0.0.1:${listener}/v1/events`, { method: 'POST', body: JSON.stringify(events) })
    // Events from now on (the published indicators are valid from the report's creation, already come).
    const at = (s: number) => new Date(Date.now() + s * 1000).toISOString()
    expect(
      (
        await ingest([
          dnsQuery('ws-7', 'www.c2.evil.example', at(0)),
          dnsQuery('ws-7', 'www.c2.evil.example', at(5)),
          dnsQuery('ws-7', 'benign.example', at(6)),
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

test("the analyst's own indicator: added in the panel, hit by an event, edited, removed", async ({
  page,
  outpost,
}) => {
  test.setTimeout(60_000)
  const problems = watchConsole(page)
  await page.goto(`${outpost.ready.url}#/sync`)
  const form = page.getByRole('form', { name: 'Add an indicator' })
  // Refused beside the field, before anything is sent.
  await form.getByLabel('Type', { exact: true }).selectOption('sha256')
  await form.getByLabel('Value', { exact: true }).fill('abc123')
  await form.getByRole('button', { name: 'Add indicator' }).click()
  await expect(form.getByRole('alert', { name: 'Value error' })).toContainText('is not 64 hex digits')
  await expect(form.getByLabel('Value', { exact: true })).toHaveAttribute('aria-invalid', 'true')
  await form.getByLabel('Type', { exact: true }).selectOption('ip')
  await form.getByLabel('Value', { exact: true }).fill('203.0.113.300')
  await form.getByLabel('Valid from (UTC)').fill('2026-12-02T00:00')
  await form.getByLabel('Valid until (UTC)').fill('2026-12-01T00:00')
  await form.getByRole('button', { name: 'Add indicator' }).click()
  await expect(form.getByRole('alert', { name: 'Value error' })).toContainText('not an IPv4 or IPv6 address')
  await expect(form.getByRole('alert', { name: 'Valid until error' })).toContainText(
    'must be after valid_from',
  )
  expect(await seriousViolations(page)).toEqual([])

  await form.getByLabel('Value', { exact: true }).fill('203.0.113.77')
  await form.getByLabel('Valid from (UTC)').fill('2026-11-01T00:00')
  await form.getByLabel('Valid until (UTC)').fill('')
  await form.getByLabel('Level', { exact: true }).selectOption('medium')
  await form.getByRole('button', { name: 'Add indicator' }).click()
  await expect(page.getByLabel('Watchlist edit')).toHaveText('Added ip 203.0.113.77')
  const grid = page.getByRole('grid', { name: 'Watchlist' })
  const row = grid.getByRole('row', { name: 'analyst ip 203.0.113.77' })
  await expect(row).toContainText('2026-11-01')
  await expect(row).toContainText('medium')
  const hits = row.getByRole('gridcell').nth(7)
  await expect(hits).toHaveText('0')

  // Events naming it raise an alert and count as hits: the one from before its valid_from too
  // (its time has come, so older events match, as a retro-hunt would).
  const event = (time: string) => ({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 3,
    Computer: 'ws-e2e',
    UtcTime: time,
    '@timestamp': time,
    Image: 'C:\\Windows\\System32\\rundll32.exe',
    SourceIp: '10.1.2.3',
    DestinationIp: '203.0.113.77',
  })
  expect(
    (await outpost.ingest([event('2026-10-31T23:59:59.000Z'), event('2026-11-20T10:00:00.000Z')])).status,
  ).toBe(200)
  await expect
    .poll(async () =>
      (await outpost.call('alerts:list', { limit: 10 })).alerts.map((a) => [a.title, a.count]),
    )
    .toEqual([
      ['Watchlist match: ip 203.0.113.77', 1],
      ['Watchlist match: ip 203.0.113.77', 1],
    ])
  await page.getByLabel('Sort the watchlist').selectOption('hits')
  await expect(hits).toHaveText('2')
  await expect(row).toContainText('2026-11-20')

  // Edited: level and validity; type and value stay.
  await row.getByRole('button', { name: 'Edit ip 203.0.113.77' }).click()
  const edit = page.getByRole('form', { name: 'Edit indicator ip 203.0.113.77' })
  await expect(edit.getByLabel('Value', { exact: true })).toHaveValue('203.0.113.77')
  await edit.getByLabel('Level', { exact: true }).selectOption('critical')
  await edit.getByLabel('Valid until (UTC)').fill('2030-01-01T00:00')
  await edit.getByRole('button', { name: 'Save indicator' }).click()
  await expect(page.getByLabel('Watchlist edit')).toHaveText('Saved ip 203.0.113.77')
  await expect(row).toContainText('critical')
  await expect(row).toContainText('2030-01-01')
  await expect(hits).toHaveText('2')
  expect(await seriousViolations(page)).toEqual([])

  await row.getByRole('button', { name: 'Remove ip 203.0.113.77' }).click()
  await expect(page.getByLabel('Watchlist edit')).toHaveText('Removed ip 203.0.113.77')
  await expect(page.getByRole('note', { name: 'Empty watchlist' })).toBeVisible()
  const { entries } = await outpost.call('audit:list', { limit: 10 })
  expect(
    entries
      .filter((e) => e.object_type === 'watchlist')
      .map((e) => [e.action, e.object_id])
      .reverse(),
  ).toEqual([
    ['add', 'ip:203.0.113.77'],
    ['update', 'ip:203.0.113.77'],
    ['remove', 'ip:203.0.113.77'],
  ])
  expect(problems).toEqual([])
})
