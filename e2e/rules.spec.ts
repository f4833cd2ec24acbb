import { strToU8, zipSync } from 'fflate'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { AlertsPage } from './pages/alerts.page'
import { EventsPage } from './pages/events.page'
import { RulesPage } from './pages/rules.page'
import { processEvent, sigmaRule } from './sigma'

test('a small rules folder imported as a .zip loads its rules and lists every problem', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const zip = zipSync({
    'e2e-pack/LICENSE.Detection.Rules.md': strToU8('# Detection Rule License (DRL) 1.1\n'),
    'e2e-pack/windows/mimikatz.yml': strToU8(
      sigmaRule({ title: 'E2E pack mimikatz', imageEndsWith: '\\mimikatz.exe' }),
    ),
    'e2e-pack/windows/rubeus.yml': strToU8(
      sigmaRule({ title: 'E2E pack rubeus', imageEndsWith: '\\rubeus.exe' }),
    ),
    'e2e-pack/windows/broken.yml': strToU8(
      sigmaRule({ title: 'E2E pack broken', imageEndsWith: '\\x.exe', condition: 'nosuchselection' }),
    ),
  })
  const rules = new RulesPage(page)
  await rules.open(outpost.ready.url)
  await rules.chooseImportFile('e2e-pack.zip', Buffer.from(zip))

  const result = rules.importResult('e2e-pack.zip')
  await expect(result).toBeVisible({ timeout: 15_000 })
  const counts = result.getByRole('definition')
  await expect(counts.nth(0)).toHaveText('2') // files stored: the broken one has nothing to run
  await expect(counts.nth(1)).toHaveText('2') // loaded
  await expect(counts.nth(2)).toHaveText('1') // invalid
  const problemRows = result.getByRole('table', { name: 'Problems in e2e-pack.zip' }).getByRole('row')
  await expect(problemRows).toHaveCount(2) // header + the broken rule
  await expect(problemRows.nth(1)).toContainText('broken.yml')
  await expect(problemRows.nth(1)).toContainText('nosuchselection')

  await expect(rules.row('E2E pack mimikatz')).toBeVisible()
  await expect(rules.row('E2E pack rubeus')).toContainText('E2E Tester')
  await expect(rules.row('E2E pack broken')).toHaveCount(0)

  // Bulk: disable the imported folder from the folder tree, then search.
  const folder = (await result.getByText(/^into /).textContent())!.replace(/^into /, '')
  await rules.folders.getByTitle(folder, { exact: true }).click()
  const chosen = rules.folders.getByRole('button', { pressed: true })
  await expect(chosen).toHaveAttribute('title', folder)
  await expect(chosen).toContainText('2/2') // enabled/rules below it
  await page.getByRole('button', { name: /^Disable / }).click()
  await expect(rules.row('E2E pack mimikatz').getByRole('checkbox')).not.toBeChecked()
  await expect(rules.row('E2E pack rubeus').getByRole('checkbox')).not.toBeChecked()
  await expect(chosen).toContainText('0/2')
  const stored = await outpost.call('rules:list', { query: 'E2E pack' })
  expect(stored.rules.map((r) => [r.title, r.enabled]).sort()).toEqual([
    ['E2E pack mimikatz', false],
    ['E2E pack rubeus', false],
  ])

  await rules.search.fill('rubeus')
  await expect(rules.grid.locator('[data-rule-key]')).toHaveCount(1)

  // An imported rule's alert carries the pack's license (from its LICENSE file) and the author.
  await rules.row('E2E pack rubeus').getByRole('checkbox').check()
  expect((await outpost.ingest([processEvent('C:\\Temp\\rubeus.exe', 'dc-02')])).status).toBe(200)
  // Hits count live while the Rules view is open.
  await expect(rules.row('E2E pack rubeus').getByRole('gridcell').nth(5)).toHaveText('1', { timeout: 10_000 })
  await expect(rules.row('E2E pack rubeus').getByRole('gridcell').nth(6)).not.toHaveText('—')
  const alerts = new AlertsPage(page)
  await page.getByRole('link', { name: 'Alerts' }).click()
  const row = alerts.row('E2E pack rubeus')
  await expect(row).toHaveCount(1, { timeout: 10_000 })
  await expect(await alerts.cell(row, 'License')).toHaveText('DRL-1.1')
  await expect(await alerts.cell(row, 'Rule author')).toHaveText('E2E Tester')
  await expect(alerts.rows).toHaveCount(1) // mimikatz stayed disabled
  expect(problems).toEqual([])
})

test('a single .yml upload imports one rule; a user rule is saved switched off, kept from a careless switch, deleted', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const rules = new RulesPage(page)
  await rules.open(outpost.ready.url)
  await rules.chooseImportFile(
    'one.yml',
    Buffer.from(sigmaRule({ title: 'E2E single upload', imageEndsWith: '\\one.exe' })),
  )
  await expect(rules.importResult('one.yml').getByRole('definition').nth(1)).toHaveText('1')
  await expect(rules.row('E2E single upload')).toBeVisible()

  await rules.newRule(sigmaRule({ title: 'E2E to delete', imageEndsWith: '\\del.exe' }))
  await expect(rules.validation).toContainText('Valid')
  await rules.editor.getByRole('checkbox', { name: 'enabled' }).uncheck() // saved switched off
  await rules.save.click()
  await expect(rules.row('E2E to delete').getByRole('checkbox')).not.toBeChecked()

  // Unsaved edits are not dropped silently when another rule is opened.
  await rules.yaml.press('ControlOrMeta+End')
  await rules.yaml.pressSequentially('# unsaved')
  page.once('dialog', (dialog) => void dialog.dismiss())
  await rules.row('E2E single upload').click()
  await expect(rules.yaml).toHaveValue(/# unsaved$/)
  await expect(rules.editor).toContainText('unsaved')
  await rules.editor.getByRole('button', { name: 'Delete' }).click()
  await rules.editor.getByRole('button', { name: 'Yes, delete' }).click()
  await expect(rules.editor).toHaveCount(0)
  await expect(rules.row('E2E to delete')).toHaveCount(0)
  expect(problems).toEqual([])
})

test('testing a rule against history shows progress and the matching events', async ({ page, outpost }) => {
  const problems = watchConsole(page)
  const events = [
    processEvent('C:\\Tools\\e2e-hunt.exe', 'hist-01'),
    processEvent('C:\\Tools\\e2e-hunt.exe', 'hist-02'),
    processEvent('C:\\Tools\\e2e-hunt.exe', 'hist-03'),
    processEvent('C:\\Windows\\explorer.exe', 'hist-04'),
    { message: 'not a process event', 'host.name': 'hist-05' },
  ]
  expect((await outpost.ingest(events)).status).toBe(200)

  const rules = new RulesPage(page)
  await rules.open(outpost.ready.url)
  await rules.newRule(sigmaRule({ title: 'E2E hunt', imageEndsWith: '\\e2e-hunt.exe' }))
  await expect(rules.validation).toContainText('Valid')
  await rules.editor.getByRole('button', { name: 'Test against history' }).click()

  await expect(rules.test).toContainText('3 matches', { timeout: 15_000 })
  await expect(rules.test).toContainText('done')
  const progress = rules.test.getByRole('progressbar', { name: 'Rule test progress' })
  const max = await progress.getAttribute('aria-valuemax')
  expect(Number(max)).toBeGreaterThanOrEqual(3) // every stored event, or those of the rule's logsource
  await expect(progress).toHaveAttribute('aria-valuenow', max!)
  const matches = rules.test.getByRole('table', { name: 'Test matches' }).getByRole('row')
  await expect(matches).toHaveCount(4) // header + 3
  await expect(rules.test).toContainText('hist-01')
  await expect(rules.test).toContainText('hist-03')
  await expect(rules.test).not.toContainText('hist-04')

  // A result links to its event.
  await matches.nth(1).getByRole('link').click()
  const detail = page.getByRole('complementary', { name: 'Event detail' })
  await expect(detail).toContainText('e2e-hunt.exe')
  await expect(new EventsPage(page).total).toHaveText('5 stored')
  expect(problems).toEqual([])
})
