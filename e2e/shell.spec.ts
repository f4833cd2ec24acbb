import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnServe } from '../collector/host/serve-process'
import { seriousViolations } from './axe'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'

const events = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString(),
    Computer: `ws-${i}`,
    message: `shell event ${i}`,
  }))

test('the command palette jumps to views, runs actions, and finds objects by search', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const { operation } = await outpost.call('operations:create', { name: 'Op NIGHTJAR', status: 'active' })
  await outpost.call('reports:create', { title: 'Nightjar findings', body: 'x' })
  await page.goto(outpost.ready.url)
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible()

  // Ctrl+K opens it with the combobox focused; a view by name, Enter goes there.
  await page.keyboard.press('Control+k')
  const palette = page.getByRole('dialog', { name: 'Command palette' })
  const box = palette.getByRole('combobox', { name: 'Command' })
  await expect(box).toBeFocused()
  await box.fill('collector')
  await expect(palette.getByRole('option').first()).toHaveText(/Go to Collector/)
  await box.press('Enter')
  await expect(palette).toBeHidden()
  await expect(page.getByRole('heading', { name: 'Collector', exact: true })).toBeVisible()
  expect(page.url()).toContain('#/collector')

  // Objects come from search:global; arrow keys choose among the options.
  await page.keyboard.press('Control+k')
  await box.fill('nightjar')
  const op = palette.getByRole('option', { name: /Operation: Op NIGHTJAR/ })
  await expect(op).toBeVisible()
  await expect(palette.getByRole('option', { name: /Report: Nightjar findings/ })).toBeVisible()
  const options = palette.getByRole('option')
  const index = (await options.allTextContents()).findIndex((t) => t.includes('Operation: Op NIGHTJAR'))
  for (let i = 0; i < index; i++) await box.press('ArrowDown')
  await expect(op).toHaveAttribute('aria-selected', 'true')
  await box.press('Enter')
  await expect(page).toHaveURL(new RegExp(`#/operations\\?id=${operation.id}`))
  await expect(page.getByRole('region', { name: 'Operation detail' }).getByLabel('Name')).toHaveValue(
    'Op NIGHTJAR',
  )
  // The breadcrumb names the view and the object a deep link opened.
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText(operation.id.slice(0, 30))

  // An action: the theme toggles and stays toggled across a reload.
  const before = await page.locator('html').getAttribute('data-theme')
  await page.keyboard.press('Control+k')
  await box.fill('toggle theme')
  await box.press('Enter')
  const after = before === 'dark' ? 'light' : 'dark'
  await expect(page.locator('html')).toHaveAttribute('data-theme', after)
  await page.reload()
  await expect(page.locator('html')).toHaveAttribute('data-theme', after)

  // Escape closes it.
  await page.keyboard.press('Control+k')
  await expect(palette).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(palette).toBeHidden()
  expect(problems).toEqual([])
})

test('keyboard: g-jumps, ? overlay, / focuses search, j/k and Enter in lists, none while typing', async ({
  page,
  outpost,
}) => {
  await outpost.call('assets:create', { kind: 'host', value: 'alpha-01' })
  await outpost.call('assets:create', { kind: 'host', value: 'bravo-02' })
  expect((await outpost.ingest(events(5))).status).toBe(200)
  await page.goto(outpost.ready.url)
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible()

  // The nav says each view's jump in its tooltip.
  await expect(
    page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Rules' }),
  ).toHaveAttribute('title', 'Rules (g r)')
  await page.keyboard.press('g')
  await page.keyboard.press('r')
  await expect(page.getByRole('heading', { name: 'Rules', exact: true })).toBeVisible()

  // `/` focuses the view's search; typing there is text, not shortcuts.
  await page.keyboard.press('/')
  const search = page.getByRole('searchbox', { name: 'Search rules' })
  await expect(search).toBeFocused()
  await page.keyboard.type('ga?')
  await expect(search).toHaveValue('ga?')
  await expect(page.getByRole('heading', { name: 'Rules', exact: true })).toBeVisible()
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden()

  // `?` lists the shortcuts; Escape closes.
  await search.blur()
  await page.keyboard.press('?')
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await expect(help).toBeVisible()
  await expect(help.getByRole('row', { name: /g a .*Go to Alerts/ })).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(help).toBeHidden()

  // Events: j/k move the selection, which opens the event.
  await page.keyboard.press('g')
  await page.keyboard.press('e')
  await expect(page.getByRole('heading', { name: 'Events', exact: true })).toBeVisible()
  const rows = page.getByRole('table', { name: 'Events' }).getByRole('rowgroup').nth(1)
  await expect(rows.getByRole('row')).toHaveCount(5)
  await rows.focus()
  await page.keyboard.press('j')
  await page.keyboard.press('j')
  await page.keyboard.press('k')
  await expect(rows.getByRole('row', { selected: true })).toHaveCount(1)
  await expect(rows.getByRole('row').first()).toHaveAttribute('aria-selected', 'true')

  // Assets: j then Enter opens the second asset's page.
  await page.keyboard.press('g')
  await page.keyboard.press('n')
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible()
  const assetRows = page.getByRole('grid', { name: 'Assets' }).getByRole('rowgroup').first()
  await expect(
    page.getByRole('grid', { name: 'Assets' }).getByRole('row').filter({ hasText: 'bravo-02' }),
  ).toBeVisible()
  await assetRows.focus()
  await page.keyboard.press('j')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/#\/assets\?id=host%3A/)
})

test('the nav counts open incidents; Settings shows the collector and reports a theme change in a toast', async ({
  page,
  outpost,
}) => {
  await page.goto(outpost.ready.url)
  const nav = page.getByRole('navigation', { name: 'Views' })
  await expect(nav.getByRole('link', { name: /^Incidents/ })).toHaveText(/Incidents\s*0/)
  await page.keyboard.press('g')
  await page.keyboard.press('s')
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible()
  // Whichever theme the system gave, choose the other one.
  const other = (await page.locator('html').getAttribute('data-theme')) === 'dark' ? 'light' : 'dark'
  await page.getByRole('radio', { name: other === 'dark' ? /Dark/ : /Light/ }).check()
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText(`Theme: ${other}`)
  await expect(page.locator('html')).toHaveAttribute('data-theme', other)
  await expect(page.getByRole('region', { name: 'Data' })).toContainText(outpost.dataDir)
})

test('the classification banner from config.yaml tops every view', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-e2e-banner-'))
  writeFileSync(
    join(dataDir, 'config.yaml'),
    'ui:\n  banner: { text: "UNCLASSIFIED//FOR OFFICIAL USE ONLY", color: unclassified }\n',
  )
  const serve = await spawnServe(['--data-dir', dataDir, '--port', '0'])
  try {
    for (const hash of ['#/dashboard', '#/events', '#/settings', '#/about']) {
      await page.goto(serve.ready.url + hash)
      const banner = page.getByRole('note', { name: 'Classification' })
      await expect(banner).toHaveText('UNCLASSIFIED//FOR OFFICIAL USE ONLY')
      // Above everything else on the page.
      expect((await banner.boundingBox())?.y).toBe(0)
    }
    await page.screenshot({ path: test.info().outputPath('banner.png') })
    expect(await seriousViolations(page)).toEqual([])
  } finally {
    await serve.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
