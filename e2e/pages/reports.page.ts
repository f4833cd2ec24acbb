import type { Download, Locator, Page } from '@playwright/test'

export class ReportsPage {
  readonly list: Locator
  readonly editor: Locator
  readonly title: Locator
  readonly body: Locator
  readonly tlp: Locator
  readonly observables: Locator
  readonly techniqueId: Locator
  readonly techniques: Locator
  readonly save: Locator
  readonly status: Locator
  readonly exportResult: Locator

  constructor(readonly page: Page) {
    this.list = page.getByRole('list', { name: 'Reports' })
    this.editor = page.getByRole('complementary', { name: 'Report editor' })
    this.title = this.editor.getByLabel('Title')
    this.body = this.editor.getByRole('textbox', { name: 'Body (markdown)' })
    this.tlp = this.editor.getByLabel('TLP', { exact: true })
    this.observables = this.editor.getByRole('table', { name: 'Observables' })
    this.techniqueId = this.editor.getByRole('textbox', { name: 'Technique id' })
    this.techniques = this.editor.getByRole('list', { name: 'Report techniques' })
    this.save = this.editor.getByRole('button', { name: 'Save', exact: true })
    this.status = this.editor.getByLabel('Status', { exact: true })
    this.exportResult = this.editor.getByRole('status', { name: 'Export' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Reports' }).click()
    await this.page.getByRole('heading', { name: 'Reports', exact: true }).waitFor()
  }

  item(title: string): Locator {
    return this.list.getByRole('listitem').filter({ hasText: title })
  }

  /** Adds a row and fills it; rows are numbered from 1. */
  async addObservable(row: number, type: string, value: string, note = ''): Promise<void> {
    await this.editor.getByRole('button', { name: 'Add observable' }).click()
    await this.observables.getByLabel(`Type of observable ${row}`).selectOption(type)
    await this.observables.getByLabel(`Value of observable ${row}`).fill(value)
    if (note) await this.observables.getByLabel(`Note on observable ${row}`).fill(note)
  }

  observableProblem(row: number): Locator {
    return this.observables.getByRole('alert', { name: `Problem with observable ${row}` })
  }

  async addTechnique(id: string): Promise<void> {
    await this.techniqueId.fill(id)
    await this.editor.getByRole('button', { name: 'Add technique', exact: true }).click()
  }

  /** Chooses a format from the Export menu and waits for the browser download it starts. */
  async exportDownload(label: string): Promise<Download> {
    const download = this.page.waitForEvent('download')
    await this.editor.getByText('Export', { exact: true }).click()
    await this.editor.getByRole('menuitem', { name: label, exact: true }).click()
    return download
  }
}
