import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Download } from '@playwright/test'
import { loadStixSchemas, validateStixBundle } from '../collector/workspace/export/stix-validate'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { ReportsPage } from './pages/reports.page'
import { processEvent, sigmaRule } from './sigma'

const STIX_SCHEMAS = fileURLToPath(new URL('../../shared/stix/schemas', import.meta.url))
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

const bytesOf = async (download: Download): Promise<Buffer> => readFile(await download.path())

test('a report is written, refused a bad observable, reviewed, published and exported', async ({
  page,
  outpost,
}) => {
  test.setTimeout(90_000)
  const problems = watchConsole(page)
  const reports = new ReportsPage(page)
  await reports.open(outpost.ready.url)

  await page.getByRole('button', { name: 'New report' }).click()
  await reports.title.fill('E2E Operation Lantern')
  await reports.body.fill(
    '# Summary\n\nThe actor used **PowerShell** to stage `payload.ps1`.\n\n- first\n- second\n',
  )
  await reports.tlp.selectOption('amber')
  await reports.addObservable(1, 'ipv4', '203.0.113.7', 'C2')
  await reports.addObservable(2, 'sha256', SHA256)
  await reports.addObservable(3, 'ipv4', '999.1.1.1')
  await reports.addTechnique('T1059.001')
  await expect(reports.techniques).toContainText('T1059.001')

  // The markdown preview renders as elements, not as HTML text.
  await reports.editor.getByRole('button', { name: 'Preview' }).click()
  const preview = reports.editor.getByRole('region', { name: 'Preview' })
  await expect(preview.getByRole('heading', { name: 'Summary' })).toBeVisible()
  await expect(preview.locator('strong')).toHaveText('PowerShell')
  await expect(preview.getByRole('listitem')).toHaveCount(2)
  await reports.editor.getByRole('button', { name: 'Preview' }).click()

  // A bad technique id is refused beside the techniques.
  await reports.addTechnique('T59')
  await expect(reports.editor.getByRole('alert')).toContainText('not an ATT&CK technique id')

  // The core refuses the bad observable, and says so beside its row.
  await reports.save.click()
  await expect(reports.observableProblem(3)).toContainText('observables.2')
  await expect(reports.observableProblem(3)).toContainText('999.1.1.1')
  expect((await outpost.call('reports:list', { limit: 10 })).total).toBe(0)

  await reports.observables.getByRole('button', { name: 'Remove observable 3' }).click()
  await reports.save.click()
  await expect(reports.item('E2E Operation Lantern')).toBeVisible()
  await expect(reports.item('E2E Operation Lantern')).toContainText('TLP:AMBER')
  await expect(reports.item('E2E Operation Lantern')).toContainText('2 observables')
  await expect(reports.status).toHaveText('Draft')

  // Only the transitions that may follow are offered.
  await expect(reports.editor.getByRole('button', { name: 'Publish' })).toHaveCount(0)
  await reports.editor.getByRole('button', { name: 'Send to review' }).click()
  await expect(reports.status).toHaveText('In review')
  await reports.editor.getByRole('button', { name: 'Publish' }).click()
  await expect(reports.status).toHaveText('Published')
  await expect(reports.editor.getByRole('button', { name: 'Back to draft' })).toBeVisible()
  await expect(reports.item('E2E Operation Lantern')).toContainText('Published')

  const { reports: stored } = await outpost.call('reports:list', { limit: 10 })
  expect(stored).toHaveLength(1)
  const report = (await outpost.call('reports:get', { id: stored[0]!.id })).report
  expect(report).toMatchObject({ status: 'published', tlp: 'amber', techniques: ['T1059.001'] })
  expect(report.observables.map((o) => [o.type, o.value, o.note])).toEqual([
    ['ipv4', '203.0.113.7', 'C2'],
    ['sha256', SHA256, null],
  ])

  // STIX: a bundle with the report and its indicators, valid against the STIX 2.1 schemas.
  const stix = await reports.exportDownload('STIX')
  const bundle = JSON.parse((await bytesOf(stix)).toString('utf8')) as {
    type: string
    objects: Array<{ type: string }>
  }
  expect(bundle.type).toBe('bundle')
  const types = bundle.objects.map((o) => o.type)
  expect(types).toContain('report')
  expect(types).toContain('indicator')
  expect(validateStixBundle(bundle, loadStixSchemas(STIX_SCHEMAS))).toEqual({ valid: true, errors: [] })
  await expect(reports.exportResult).toContainText(stix.suggestedFilename())
  await expect(reports.exportResult).toContainText('SHA-256')

  const html = await reports.exportDownload('HTML')
  expect((await bytesOf(html)).toString('utf8')).toContain('E2E Operation Lantern')

  const pdf = await reports.exportDownload('PDF')
  expect((await bytesOf(pdf)).subarray(0, 5).toString('latin1')).toBe('%PDF-')
  await expect(reports.exportResult).toContainText('.pdf')
  // Each export ran as a task in the core: its toast says the result, once.
  const notices = page.getByRole('status', { name: 'Notices' })
  await expect(notices).toContainText(`Exported ${pdf.suggestedFilename()}`)
  await expect(notices.getByText(`Exported ${pdf.suggestedFilename()}`)).toHaveCount(1)

  // Every save is a version: the first (a draft) is still readable.
  await reports.editor.getByText('History').click()
  const versions = reports.editor.getByRole('table', { name: 'Versions' })
  await expect(versions.getByRole('row')).toHaveCount(4)
  await versions.getByRole('button', { name: 'View version 1' }).click()
  await expect(reports.editor.getByRole('region', { name: 'Version 1' })).toContainText(
    'E2E Operation Lantern',
  )

  // The refused save is an HTTP 400 (serve maps invalid_request to it), which Chromium logs as a
  // failed resource: exactly that one is expected, nothing else.
  const refused = 'Failed to load resource: the server responded with a status of 400 (Bad Request)'
  expect(problems).toEqual([refused])
})

test('a save over a newer version keeps the draft and says to reload', async ({ page, outpost }) => {
  const problems = watchConsole(page)
  const { report } = await outpost.call('reports:create', {
    title: 'E2E shared report',
    body: 'first',
    tlp: 'green',
    techniques: [],
    labels: [],
    observables: [],
  })
  const reports = new ReportsPage(page)
  await reports.open(outpost.ready.url)
  await reports.item('E2E shared report').getByRole('button').click()
  await expect(reports.title).toHaveValue('E2E shared report')

  // Someone else saves while this editor has unsaved edits: they are kept, not reloaded over.
  await reports.body.fill('mine')
  await outpost.call('reports:update', { id: report.id, version: report.version, body: 'theirs' })
  await expect(reports.body).toHaveValue('mine')
  await reports.save.click()
  await expect(reports.editor.getByRole('alert')).toContainText('Someone saved a newer version: reload')
  await expect(reports.body).toHaveValue('mine')
  expect((await outpost.call('reports:get', { id: report.id })).report.body).toBe('theirs')

  page.once('dialog', (dialog) => void dialog.accept())
  await reports.editor.getByRole('button', { name: 'Reload' }).click()
  await expect(reports.body).toHaveValue('theirs')
  expect(problems).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)'])
})

test('a report another analyst saves reloads here when it has no unsaved edits', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  const { report } = await outpost.call('reports:create', { title: 'E2E live report', body: 'first' })
  const reports = new ReportsPage(page)
  await reports.open(outpost.ready.url)
  await reports.item('E2E live report').getByRole('button').click()
  await expect(reports.body).toHaveValue('first')
  await outpost.call('reports:update', {
    id: report.id,
    version: report.version,
    body: 'second',
    title: 'E2E live report v2',
  })
  await expect(reports.body).toHaveValue('second')
  await expect(reports.item('E2E live report v2')).toBeVisible()
  expect(problems).toEqual([])
})

test('techniques are added from those on recent alerts', async ({ page, outpost }) => {
  const problems = watchConsole(page)
  await outpost.call('rules:save', {
    text: sigmaRule({ title: 'E2E report tool', imageEndsWith: '\\e2e-report.exe' }),
    enabled: true,
  })
  expect((await outpost.ingest([processEvent('C:\\Temp\\e2e-report.exe', 'ws-e2e')])).ok).toBe(true)
  await expect
    .poll(async () => (await outpost.call('alerts:list', { limit: 10 })).alerts.flatMap((a) => a.techniques))
    .toContain('T1059')

  const reports = new ReportsPage(page)
  await reports.open(outpost.ready.url)
  await page.getByRole('button', { name: 'New report' }).click()
  await reports.editor.getByRole('button', { name: 'Add techniques from alerts…' }).click()
  const offered = reports.editor.getByRole('group', { name: 'Techniques from alerts' })
  await offered.getByRole('button', { name: /T1059/ }).first().click()
  await expect(reports.techniques).toContainText('T1059')
  await reports.title.fill('E2E from alerts')
  await reports.save.click()
  await expect(reports.item('E2E from alerts')).toBeVisible()
  const { reports: stored } = await outpost.call('reports:list', { limit: 10 })
  expect(stored[0]?.techniques).toEqual(['T1059'])
  expect(problems).toEqual([])
})
