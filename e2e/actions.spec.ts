import { seriousViolations } from './axe'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { IncidentsPage } from './pages/incidents.page'
import { raiseToolAlert } from './sigma'

test('a response action from an incident: propose, dry-run preview, approve, execute, completed with evidence and audit', async ({
  page,
  outpost,
}) => {
  test.setTimeout(45_000)
  const problems = watchConsole(page)
  const alertId = await raiseToolAlert(outpost, {
    title: 'E2E action tool',
    tool: 'e2e-action.exe',
    host: 'ws-act',
    level: 'high',
  })
  const { incident } = await outpost.call('alerts:escalate', { ids: [alertId], title: 'E2E action case' })

  await page.goto(`${outpost.ready.url}#/incidents?id=${encodeURIComponent(incident.id)}`)
  const cases = new IncidentsPage(page)
  await expect(cases.incident.getByRole('heading', { name: 'E2E action case' })).toBeVisible()

  // A bad address is refused beside its field, before anything is proposed.
  const propose = cases.actions.getByRole('form', { name: 'Propose action' })
  await propose.getByLabel('Action type').selectOption('block_ip')
  await propose.getByLabel('IP address', { exact: true }).fill('203.0.113.300')
  await propose.getByRole('button', { name: 'Propose' }).click()
  await expect(propose.getByRole('alert', { name: 'IP address problem' })).toContainText(
    'not an IPv4 or IPv6 address',
  )
  expect((await outpost.call('actions:list', {})).actions).toEqual([])

  await propose.getByLabel('IP address', { exact: true }).fill('203.0.113.7')
  await propose.getByLabel('Direction').selectOption('inbound')
  await propose.getByRole('button', { name: 'Propose' }).click()
  const action = cases.action('Block an IP address: ip: 203.0.113.7, direction: inbound')
  await expect(action.getByRole('status', { name: 'Action status' })).toHaveText('proposed')
  await expect(propose.getByRole('alert', { name: 'IP address problem' })).toHaveCount(0)

  // Waiting for approval shows in the notification centre.
  const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ })
  await expect(bell).toHaveAccessibleName('Notifications, 1 unread')
  await bell.click()
  const centre = page.getByRole('region', { name: 'Notification centre' })
  await expect(centre.getByRole('listitem')).toContainText('Action waiting for approval: block ip')
  await centre.getByRole('button', { name: 'Mark all read' }).click()
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread')
  await bell.click()

  // The dry-run shows exactly what would change: the nftables line added, and the artifacts.
  await action.getByRole('button', { name: 'Dry-run' }).click()
  await expect(action.getByRole('status', { name: 'Action status' })).toHaveText(
    'previewed, waiting for approval',
  )
  const diff = action.getByLabel('Diff')
  await expect(diff).toContainText('+    ip saddr 203.0.113.7 drop')
  await expect(diff).not.toContainText('daddr 203.0.113.7')
  await expect(action.getByRole('region', { name: 'Preview' })).toContainText('block-203.0.113.7.iptables.sh')
  await expect(action.getByRole('region', { name: 'Preview' })).toContainText(
    'rollback-203.0.113.7.netsh.cmd',
  )

  await action.getByRole('button', { name: 'Approve' }).click()
  await expect(action.getByRole('status', { name: 'Action status' })).toHaveText('approved')
  await action.getByRole('button', { name: 'Execute now' }).click()
  await expect(action.getByRole('status', { name: 'Action status' })).toHaveText('completed')

  // Every step listed with the SHA-256 of its record.
  const steps = action.getByRole('table', { name: 'Steps' }).getByRole('row')
  await expect(steps).toHaveCount(7)
  await expect(steps.nth(1)).toContainText('proposed')
  await expect(steps.nth(6)).toContainText('verifying → completed')
  for (let i = 1; i <= 6; i++) await expect(steps.nth(i).locator('td.sha')).toHaveText(/^[0-9a-f]{64}$/)

  // The artifacts and records are the incident's evidence, each with its SHA-256.
  const nft = cases.evidence.getByRole('row').filter({ hasText: '-block-203.0.113.7.nft' })
  await expect(nft).toHaveCount(1)
  await expect(nft.locator('td.sha')).toHaveText(/^[0-9a-f]{64}$/)
  await expect(cases.evidence.getByRole('row').filter({ hasText: '-06-completed.json' })).toHaveCount(1)

  await expect(cases.timeline).toContainText('approve response action block_ip (dry_run → approved)')
  await expect(cases.timeline).toContainText(
    'outpost-executor complete response action block_ip (verifying → completed)',
  )

  // The case with its actions, and the open notification centre, pass axe-core.
  await bell.click()
  expect(await seriousViolations(page)).toEqual([])
  await bell.click()
  await cases.actions.scrollIntoViewIfNeeded()
  await page.screenshot({ path: test.info().outputPath('case-actions.png') })

  // The core holds what the screen shows, and the audit log has every transition.
  const [stored] = (await outpost.call('actions:list', { incident_id: incident.id })).actions
  expect(stored).toMatchObject({
    status: 'completed',
    type: 'block_ip',
    attempts: 1,
    params: { ip: '203.0.113.7' },
  })
  const audit = (await outpost.call('audit:list', { limit: 100 })).entries.filter(
    (e) => e.object_type === 'action' && e.object_id === stored!.id,
  )
  expect(audit.map((e) => e.action).reverse()).toEqual([
    'propose',
    'dry-run',
    'approve',
    'run',
    'verify',
    'complete',
  ])
  expect((await outpost.call('audit:verify', {})).intact).toBe(true)

  await page.getByRole('link', { name: 'System' }).click()
  const panel = page.getByRole('region', { name: 'Audit log' })
  await panel.getByRole('button', { name: 'Verify audit log' }).click()
  await expect(panel.getByRole('status')).toContainText('Intact')
  const complete = panel
    .getByRole('table', { name: 'Newest audit entries' })
    .getByRole('row')
    .filter({ hasText: `action ${stored!.id}` })
  await expect(complete.first()).toContainText('complete')
  await expect(complete.first()).toContainText('outpost-executor')

  expect(problems).toEqual([])
})

test('System view: webhooks off until configured, a local operator added, an action proposed outside any incident reviewed and run', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await page.goto(outpost.ready.url)
  await page.getByRole('link', { name: 'System' }).click()
  const webhooks = page.getByRole('region', { name: 'Webhooks' })
  await expect(webhooks).toContainText('Off: no destination is allowed')
  const form = webhooks.getByRole('form', { name: 'New webhook' })
  await form.getByLabel('Webhook name').fill('n8n')
  await form.getByLabel('Webhook URL').fill('http://127.0.0.1:5678/webhook/outpost')
  await form.getByRole('button', { name: 'Add webhook' }).click()
  await expect(webhooks.getByRole('alert', { name: 'Webhook problem' })).toContainText(
    'add a URL prefix to webhooks.allow (Settings, or config.yaml)',
  )
  expect((await outpost.call('webhooks:list', {})).subscriptions).toEqual([])

  const operators = page.getByRole('region', { name: 'Operators' })
  await expect(operators).toContainText('Two-person rule off')
  const add = operators.getByRole('form', { name: 'New operator' })
  await add.getByLabel('Operator name').fill('alice')
  await add.getByLabel('Operator passphrase').fill('short')
  await add.getByRole('button', { name: 'Add operator' }).click()
  await expect(operators.getByRole('alert', { name: 'Operator problem' })).toContainText(
    'at least 8 characters',
  )
  await add.getByLabel('Operator passphrase').fill('alice passphrase')
  await add.getByRole('button', { name: 'Add operator' }).click()
  await expect(operators).toContainText('alice')
  await expect(operators.getByRole('alert', { name: 'Operator problem' })).toHaveCount(0)
  expect((await outpost.call('operators:list', {})).operators.map((o) => o.name)).toEqual(['alice'])

  // An action proposed outside any incident (as an agent would) is reviewed and run here.
  await outpost.call('actions:propose', {
    type: 'disable_user',
    params: { user: 'svc_backup', platform: 'linux' },
    proposed_source: 'agent',
    proposed_by: 'analyzer',
  })
  const all = page.getByRole('region', { name: 'All response actions' })
  const action = all
    .getByRole('article')
    .filter({ hasText: 'Disable a user: user: svc_backup, platform: linux' })
  await expect(action).toContainText('proposed by analyzer (agent)')
  await action.getByRole('button', { name: 'Dry-run' }).click()
  await action.locator('summary', { hasText: /^disable-svc-backup\.sh/ }).click()
  await expect(action.getByLabel('Artifact disable-svc-backup.sh')).toContainText("user='svc_backup'")
  await action.getByRole('button', { name: 'Approve' }).click()
  await action.getByRole('button', { name: 'Execute now' }).click()
  await expect(action.getByRole('status', { name: 'Action status' })).toHaveText('completed')

  // The two refusals are 400s the console logs; nothing else.
  const refused = 'Failed to load resource: the server responded with a status of 400 (Bad Request)'
  expect(problems).toEqual([refused, refused])
})
