import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { AssetsPage } from './pages/assets.page'

const SYSMON = 'Microsoft-Windows-Sysmon/Operational'
const HOSTS = 40
const USERS = 60
const PROCESSES = 120
const REMOTES = 900

/**
 * A site's worth of Sysmon: process starts (user, image, parent) and outbound connections to many
 * remote addresses, so the graph holds well over a thousand nodes.
 */
const seed = (): object[] => {
  const events: object[] = []
  for (let i = 0; i < 1800; i++) {
    const host = `ws-${String(i % HOSTS).padStart(3, '0')}.corp.local`
    const user = `CORP\\user${i % USERS}`
    const image = `C:\\Program Files\\App${i % PROCESSES}\\app${i % PROCESSES}.exe`
    const at = new Date(Date.UTC(2026, 10, 21, 8, 0, i)).toISOString()
    events.push({
      Channel: SYSMON,
      EventID: 1,
      Computer: host,
      '@timestamp': at,
      User: user,
      Image: image,
      ParentImage: 'C:\\Windows\\explorer.exe',
      CommandLine: `"${image}" --run ${i}`,
    })
    events.push({
      Channel: SYSMON,
      EventID: 3,
      Computer: host,
      '@timestamp': at,
      User: user,
      Image: image,
      Initiated: 'true',
      SourceIp: `10.1.${i % HOSTS}.10`,
      DestinationIp: `198.51.${Math.floor((i % REMOTES) / 250)}.${i % 250}`,
      DestinationPort: 443,
    })
  }
  return events
}

test('the inventory and the entity graph of a seeded site: filter, open an asset, edit it, graph it', async ({
  page,
  outpost,
}) => {
  test.setTimeout(60_000)
  const problems = watchConsole(page)
  for (let i = 0, all = seed(); i < all.length; i += 600)
    expect((await outpost.ingest(all.slice(i, i + 600))).status).toBe(200)
  await expect
    .poll(async () => (await outpost.call('assets:list', { kind: 'ip', limit: 1 })).total, {
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(REMOTES)

  const assets = new AssetsPage(page)
  await assets.open(outpost.ready.url)
  await expect(page.getByLabel('Assets by kind')).toContainText(`${HOSTS} host`)
  await assets.kind.selectOption('host')
  await assets.search.fill('ws-007')
  await expect(assets.grid.getByRole('row')).toHaveCount(2)
  await assets.row('ws-007.corp.local').click()

  const detail = assets.detail('ws-007.corp.local')
  await expect(detail).toBeVisible()
  await expect(detail.getByRole('table', { name: 'Linked assets' })).toContainText('user')
  await expect(detail.getByRole('table', { name: 'Recent events' })).toBeVisible()
  await detail.getByLabel('Owner').fill('Finance IT')
  await detail.getByLabel('Criticality').selectOption('critical')
  await detail.getByLabel('Tags').fill('finance, vip')
  await detail.getByRole('button', { name: 'Save' }).click()
  await expect(detail.getByText('saved')).toBeVisible()
  const stored = await outpost.call('assets:get', { id: 'host:ws-007.corp.local' })
  expect(stored.asset).toMatchObject({
    owner: 'Finance IT',
    criticality: 'critical',
    tags: ['finance', 'vip'],
  })

  // An asset entered by hand, before any event names it; a second one like it is refused.
  await page.getByRole('link', { name: 'Inventory', exact: true }).click()
  await page.getByRole('button', { name: 'New asset' }).click()
  const form = page.getByRole('form', { name: 'New asset' })
  await form.getByLabel('Value').fill('Vault-01')
  await form.getByLabel('Criticality').selectOption('critical')
  await form.getByRole('button', { name: 'Add asset' }).click()
  const vault = assets.detail('Vault-01')
  await expect(vault).toContainText('not seen yet')
  await expect(vault.getByLabel('Criticality')).toHaveValue('critical')
  await page.getByRole('link', { name: 'Inventory', exact: true }).click()
  await page.getByRole('button', { name: 'New asset' }).click()
  await form.getByLabel('Value').fill('VAULT-01')
  await form.getByRole('button', { name: 'Add asset' }).click()
  await expect(form.getByRole('alert')).toContainText('host:vault-01 is already in the inventory')

  // The whole graph: over a thousand nodes drawn and laid out.
  await page.getByRole('link', { name: 'Graph', exact: true }).click()
  await expect(assets.canvas).toHaveAttribute('data-layout', 'done', { timeout: 20_000 })
  expect(Number(await assets.canvas.getAttribute('data-nodes'))).toBeGreaterThan(1000)
  expect(Number(await assets.canvas.getAttribute('data-edges'))).toBeGreaterThan(1000)
  await assets.graph.getByLabel('Find a node').fill('ws-007.corp.local')
  await assets.graph.getByRole('button', { name: 'Find' }).click()
  await expect(assets.selected).toContainText('ws-007.corp.local')
  await page.screenshot({ path: test.info().outputPath('graph-whole.png') })

  // Its neighbourhood, centred on it.
  await assets.selected.getByRole('link', { name: 'Centre the graph here' }).click()
  await expect(assets.canvas).toHaveAttribute('data-layout', 'done', { timeout: 20_000 })
  const around = Number(await assets.canvas.getAttribute('data-nodes'))
  expect(around).toBeGreaterThan(3)
  expect(around).toBeLessThan(1000)
  await expect(assets.selected).toContainText('ws-007.corp.local')
  await page.screenshot({ path: test.info().outputPath('graph-centred.png') })
  expect(problems).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)'])
})
