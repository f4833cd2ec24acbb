import { readFileSync } from 'node:fs'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { AttackPage } from './pages/attack.page'
import { processEvent, sigmaRule } from './sigma'

const BUNDLE = '/work/shared/attack/enterprise-attack-min.json'

test('ATT&CK: ids before an import, names after; a rule covers a technique and an alert hits it', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const attack = new AttackPage(page)
  await attack.open(outpost.ready.url)
  await expect(page.getByText('No ATT&CK bundle imported')).toBeVisible()
  await expect(attack.columns).toHaveCount(14)

  // A rule saved while the view is open shows as coverage, by id only: nothing is imported yet.
  const rule = sigmaRule({ title: 'E2E PowerShell', imageEndsWith: '\\e2e-ps.exe' }).replace(
    '  - attack.t1059\n',
    '  - attack.t1059.001\n',
  )
  await outpost.call('rules:save', { text: rule })
  const t1059 = attack.cell('Execution', 'T1059')
  await expect(t1059).toHaveAccessibleName('T1059 (1 of 1 rule enabled, 0 alerts)', { timeout: 10_000 })
  await expect(t1059).toHaveAttribute('data-coverage', 'some')

  // Browser mode: the bundle is uploaded, then imported.
  await attack.importBundle('enterprise-attack-min.json', readFileSync(BUNDLE))
  await expect(attack.imported).toContainText('14 tactics, 691 techniques', { timeout: 20_000 })
  await expect(page.getByText('No ATT&CK bundle imported')).toHaveCount(0)
  await expect(attack.column('Execution')).toContainText('Command and Scripting Interpreter')
  await expect(attack.columns).toHaveCount(14)
  await expect(t1059).toHaveAccessibleName(
    'Command and Scripting Interpreter T1059 (1 of 1 rule enabled, 0 alerts)',
  )
  await expect(page.getByText('The MITRE Corporation').first()).toBeVisible()

  // A matching event raises an alert: its technique and the parent count the hit.
  expect((await outpost.ingest([processEvent('C:\\Temp\\e2e-ps.exe', 'ws-attack')])).status).toBe(200)
  await expect(t1059).toHaveAccessibleName(/, 1 alert\)$/, { timeout: 10_000 })
  await attack.expand('T1059').click()
  const powershell = attack.cell('Execution', 'T1059.001')
  await expect(powershell).toHaveAccessibleName('PowerShell T1059.001 (1 of 1 rule enabled, 1 alert)')

  await page.getByRole('radio', { name: 'Only with hits' }).check()
  await expect(attack.cells).toHaveCount(2) // T1059 and, expanded, T1059.001
  await page.getByRole('radio', { name: 'All techniques' }).check()
  expect(await attack.cells.count()).toBeGreaterThan(250)

  // A technique opens its alerts.
  await powershell.click()
  await expect(page.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible()
  await expect(page.getByRole('searchbox', { name: 'Search alerts' })).toHaveValue('attack.t1059.001')
  await expect(page.getByRole('grid', { name: 'Alerts' }).locator('[data-alert-id]')).toHaveCount(1)
  // The alert names its techniques from the imported bundle.
  await page.getByRole('grid', { name: 'Alerts' }).locator('[data-alert-id]').click()
  await expect(
    page.getByRole('complementary', { name: 'Alert detail' }).getByLabel('ATT&CK', { exact: true }),
  ).toHaveText('execution, T1059.001 PowerShell')
  expect(problems).toEqual([])
})

test('ATT&CK: a file that is not a STIX bundle is refused with the reason', async ({ page, outpost }) => {
  const problems = watchConsole(page)
  const attack = new AttackPage(page)
  await attack.open(outpost.ready.url)
  await attack.importBundle('notes.json', Buffer.from('{"type": "bundle", "objects": []}'))
  await expect(page.getByRole('alert')).toContainText('notes.json: no ATT&CK matrix')
  await expect(page.getByText('No ATT&CK bundle imported')).toBeVisible()
  // The refusal itself is an HTTP 400, which the browser logs; nothing else may be.
  expect(problems.filter((p) => !p.includes('status of 400 (Bad Request)'))).toEqual([])
  expect(problems).toHaveLength(1)
})
