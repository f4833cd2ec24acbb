import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { AlertsPage } from './pages/alerts.page'
import { RulesPage } from './pages/rules.page'
import { processEvent, sigmaRule } from './sigma'

test('a rule written in the editor raises a live alert that is acknowledged and escalated', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const rules = new RulesPage(page)
  await rules.open(outpost.ready.url)

  // A broken condition is refused inline, on its line, and Save stays off.
  const broken = sigmaRule({
    title: 'E2E evil tool',
    imageEndsWith: '\\e2e-evil.exe',
    condition: 'selectoin',
  })
  await rules.newRule(broken)
  await expect(rules.validation).toContainText('problem')
  await expect(rules.problems).toContainText('selectoin')
  const conditionLine = broken.split('\n').findIndex((l) => l.includes('condition:')) + 1
  await expect(rules.markedLines()).toContainText([String(conditionLine)])
  await expect(rules.save).toBeDisabled()

  await rules.yaml.fill(broken.replace('condition: selectoin', 'condition: selection'))
  await expect(rules.validation).toContainText('Valid: E2E evil tool')
  await expect(rules.markedLines()).toHaveCount(0)
  await rules.save.click()
  await expect(rules.editor.getByRole('heading', { level: 2 })).toContainText(/^user\/.+\.ya?ml$/)
  await expect(rules.row('E2E evil tool')).toContainText('E2E Tester')
  await expect(rules.row('E2E evil tool').getByRole('checkbox')).toBeChecked()

  // Live: the view is open before the event arrives and is never reloaded.
  const alerts = new AlertsPage(page)
  await page.getByRole('link', { name: 'Alerts' }).click()
  await expect(page.getByRole('region', { name: 'No alerts' })).toBeVisible()
  const harmless = processEvent('C:\\Windows\\notepad.exe', 'ws-e2e')
  const evil = processEvent('C:\\Users\\alice\\e2e-evil.exe', 'ws-e2e')
  expect((await outpost.ingest([harmless, evil])).status).toBe(200)

  const row = alerts.row('E2E evil tool')
  await expect(row).toHaveCount(1, { timeout: 10_000 })
  await expect(alerts.rows).toHaveCount(1) // notepad matched nothing
  await expect(row).toContainText('E2E Tester') // DRL 1.1: the author wherever the match is shown
  await expect(await alerts.cell(row, 'Rule author')).toHaveText('E2E Tester')
  await expect(row).toContainText('ws-e2e')
  await expect(row).toContainText('T1059')
  await expect(await alerts.cell(row, 'Status')).toHaveText('new')

  await row.click()
  await expect(alerts.detail).toContainText('E2E Tester')
  const matching = alerts.detail.getByRole('list', { name: 'Matching events' })
  await expect(matching).toContainText('e2e-evil.exe')

  // A second match on the same host within the suppression window folds into this alert.
  expect((await outpost.ingest([processEvent('C:\\Temp\\e2e-evil.exe', 'ws-e2e')])).status).toBe(200)
  await expect(await alerts.cell(row, 'Count')).toHaveText('2', { timeout: 10_000 })
  await expect(alerts.rows).toHaveCount(1)
  await expect(matching.getByRole('listitem')).toHaveCount(2)
  await expect(matching).toContainText('C:\\Temp\\e2e-evil.exe')

  const nav = page.getByRole('link', { name: /^Alerts/ })
  await expect(nav).toHaveAccessibleName(/^Alerts\s*1 new$/)
  await alerts.action('Acknowledge').click()
  await expect(await alerts.cell(row, 'Status')).toHaveText('acknowledged')
  await expect(nav).toHaveAccessibleName(/^Alerts\s*0 new$/)

  await alerts.action('Escalate…').click()
  const escalate = page.getByRole('form', { name: 'Escalate to incident' })
  await escalate.getByLabel('Incident').selectOption({ label: 'New incident' })
  await escalate.getByLabel('Title').fill('E2E incident: evil tool on ws-e2e')
  await escalate.getByLabel('Note').fill('seen on one workstation')
  await escalate.getByRole('button', { name: 'Escalate', exact: true }).click()
  await expect(await alerts.cell(row, 'Status')).toHaveText('escalated')
  await expect(alerts.detail).toContainText('E2E incident: evil tool on ws-e2e')

  // The state is the core's, not only the screen's.
  const stored = await outpost.call('alerts:list', { limit: 10 })
  expect(stored.alerts.map((a) => [a.title, a.status, a.author])).toEqual([
    ['E2E evil tool', 'escalated', 'E2E Tester'],
  ])
  // The core may also have grouped the alert into an incident of its own; ours is the analyst's.
  const { incidents } = await outpost.call('incidents:list', { limit: 10 })
  const ours = incidents.find((i) => i.id === stored.alerts[0]!.incident_id)
  expect(ours).toMatchObject({ title: 'E2E incident: evil tool on ws-e2e', origin: 'analyst' })
  expect(problems).toEqual([])
})

test('alerts are closed as false positive with a note, closed, reopened, and filtered', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await outpost.call('rules:save', {
    text: sigmaRule({ title: 'E2E psexec', imageEndsWith: '\\psexec.exe', level: 'critical' }),
  })
  await outpost.call('rules:save', {
    text: sigmaRule({ title: 'E2E whoami', imageEndsWith: '\\whoami.exe', level: 'low' }),
  })
  const alerts = new AlertsPage(page)
  await alerts.open(outpost.ready.url)
  expect(
    (
      await outpost.ingest([
        processEvent('C:\\Tools\\psexec.exe', 'dc-01'),
        processEvent('C:\\Windows\\System32\\whoami.exe', 'ws-07'),
      ])
    ).status,
  ).toBe(200)
  await expect(alerts.rows).toHaveCount(2, { timeout: 10_000 })

  const psexec = alerts.row('E2E psexec')
  const whoami = alerts.row('E2E whoami')
  await psexec.click()
  await alerts.action('False positive…').click()
  const form = page.getByRole('form', { name: 'Close as false positive' })
  await form.getByLabel('Why (optional)').fill('admin maintenance window')
  await form.getByRole('button', { name: 'Close as false positive' }).click()
  await expect(await alerts.cell(psexec, 'Status')).toHaveText('false positive')
  await expect(alerts.detail).toContainText('admin maintenance window')

  // Keyboard: j/k move, c closes the focused alert.
  const psexecFirst = (await alerts.rows.first().textContent())!.includes('E2E psexec')
  await page.getByLabel(/^Alert rows/).focus()
  await page.keyboard.press(psexecFirst ? 'j' : 'k')
  await expect(whoami).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('c')
  await expect(await alerts.cell(whoami, 'Status')).toHaveText('closed')
  await alerts.action('Reopen').click()
  await expect(await alerts.cell(whoami, 'Status')).toHaveText('new')

  // Filters go to the core: minimum level high leaves the critical one only.
  await alerts.filters.getByLabel('Minimum level').selectOption('high')
  await expect(alerts.rows).toHaveCount(1)
  await expect(alerts.rows).toContainText('E2E psexec')
  await alerts.filters.getByLabel('Minimum level').selectOption('')
  await alerts.filters.getByRole('checkbox', { name: 'new' }).check()
  await expect(alerts.rows).toHaveCount(1)
  await expect(alerts.rows).toContainText('E2E whoami')
  await alerts.filters.getByRole('checkbox', { name: 'new' }).uncheck()
  await alerts.filters.getByRole('searchbox', { name: 'Search alerts' }).fill('dc-01')
  await expect(alerts.rows).toHaveCount(1)
  await expect(alerts.rows).toContainText('E2E psexec')

  const stored = await outpost.call('alerts:list', { limit: 10 })
  expect(Object.fromEntries(stored.alerts.map((a) => [a.title, [a.status, a.note]]))).toEqual({
    'E2E psexec': ['false_positive', 'admin maintenance window'],
    'E2E whoami': ['new', null],
  })
  expect(problems).toEqual([])
})

test('several checked alerts are escalated together into an incident the core already opened', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  // Both high or above on one host: the core groups them into one incident by itself.
  await outpost.call('rules:save', {
    text: sigmaRule({ title: 'E2E mimikatz', imageEndsWith: '\\mimikatz.exe', level: 'critical' }),
  })
  await outpost.call('rules:save', {
    text: sigmaRule({ title: 'E2E procdump', imageEndsWith: '\\procdump.exe', level: 'medium' }),
  })
  const alerts = new AlertsPage(page)
  await alerts.open(outpost.ready.url)
  expect(
    (
      await outpost.ingest([
        processEvent('C:\\Tools\\mimikatz.exe', 'dc-09'),
        processEvent('C:\\Tools\\procdump.exe', 'dc-09'),
      ])
    ).status,
  ).toBe(200)
  await expect(alerts.rows).toHaveCount(2, { timeout: 10_000 })
  const grouped = (await outpost.call('incidents:list', { limit: 10 })).incidents
  expect(grouped).toHaveLength(1) // medium is below detection.incidents.min_level: only mimikatz
  const incident = grouped[0]!

  await alerts.row('E2E mimikatz').getByRole('checkbox').check()
  await alerts.row('E2E procdump').getByRole('checkbox').check()
  await expect(alerts.actions).toContainText('2 selected')
  await alerts.action('Escalate…').click()
  const form = page.getByRole('form', { name: 'Escalate to incident' })
  await form.getByLabel('Incident').selectOption(incident.id)
  await expect(form.getByLabel('Title')).toHaveCount(0) // an existing incident keeps its title
  await form.getByRole('button', { name: 'Escalate', exact: true }).click()
  for (const title of ['E2E mimikatz', 'E2E procdump'])
    await expect(await alerts.cell(alerts.row(title), 'Status')).toHaveText('escalated')

  const after = await outpost.call('alerts:list', { limit: 10, incident_id: incident.id })
  expect(after.alerts.map((a) => a.title).sort()).toEqual(['E2E mimikatz', 'E2E procdump'])
  const [updated] = (await outpost.call('incidents:list', { limit: 10 })).incidents
  expect(updated).toMatchObject({ id: incident.id, alert_count: 2 })

  // The incident link in the detail filters the list to that incident.
  await alerts.row('E2E procdump').click()
  await alerts.detail.getByRole('button', { name: incident.title }).click()
  await expect(alerts.filters).toContainText(`Incident: ${incident.title}`)
  await expect(alerts.rows).toHaveCount(2)
  expect(problems).toEqual([])
})

test('a correlation alert shows its group-by values and its contributing events', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const alerts = new AlertsPage(page)
  await alerts.open(outpost.ready.url)
  // Outpost's example correlation: ten failed logons (4625) from one address within five minutes.
  const start = Date.now() - 60_000
  const failedLogon = (i: number, ip: string) => ({
    '@timestamp': new Date(start + i * 1000).toISOString(),
    Channel: 'Security',
    EventID: 4625,
    IpAddress: ip,
    TargetUserName: `user${i}`,
    'host.name': 'dc-01',
    message: `An account failed to log on (${ip})`,
  })
  const guessing = Array.from({ length: 12 }, (_, i) => failedLogon(i, '10.9.8.7'))
  const local = Array.from({ length: 12 }, (_, i) => failedLogon(i, '127.0.0.1')) // the example filter drops these
  expect((await outpost.ingest([...guessing, ...local])).status).toBe(200)

  const row = alerts.row('Many Failed Logons From One Source')
  await expect(row).toHaveCount(1, { timeout: 10_000 })
  await expect(await alerts.cell(row, 'Rule author')).toHaveText('Outpost')
  await row.click()
  const group = alerts.detail.getByRole('definition').filter({ hasText: '10.9.8.7' })
  await expect(alerts.detail.getByText('Grouped by')).toBeVisible()
  await expect(group).toHaveCount(1)
  const matching = alerts.detail.getByRole('list', { name: 'Matching events' })
  await expect(matching.getByRole('listitem')).toHaveCount(10) // the first ten of those that contributed
  await expect(matching).not.toContainText('127.0.0.1')
  expect(problems).toEqual([])
})
