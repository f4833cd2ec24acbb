import type { Locator, Page } from '@playwright/test'

export class RulesPage {
  readonly grid: Locator
  readonly shown: Locator
  readonly search: Locator
  readonly folders: Locator
  readonly editor: Locator
  readonly yaml: Locator
  readonly validation: Locator
  readonly problems: Locator
  readonly save: Locator
  readonly importPanel: Locator
  readonly test: Locator

  constructor(readonly page: Page) {
    this.grid = page.getByRole('grid', { name: 'Rules' })
    this.shown = page.getByLabel('Rules shown')
    this.search = page.getByRole('searchbox', { name: 'Search rules' })
    this.folders = page.getByRole('navigation', { name: 'Rule folders' })
    this.editor = page.getByRole('complementary', { name: 'Rule editor' })
    this.yaml = this.editor.getByRole('textbox', { name: 'Rule YAML' })
    this.validation = this.editor.getByRole('status', { name: 'Validation' })
    this.problems = this.editor.getByRole('list', { name: 'Rule problems' })
    this.save = this.editor.getByRole('button', { name: 'Save', exact: true })
    this.importPanel = page.getByRole('region', { name: 'Import rules' })
    this.test = this.editor.getByRole('region', { name: 'Test against history' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Rules' }).click()
    await this.page.getByRole('heading', { name: 'Rules', exact: true }).waitFor()
  }

  row(title: string): Locator {
    return this.grid.getByRole('row').filter({ hasText: title })
  }

  /** The editor's gutter marks the lines with errors (warnings are marked apart). */
  markedLines(): Locator {
    return this.editor.locator('.code-line-no[data-mark="error"]')
  }

  async newRule(text: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New rule' }).click()
    await this.yaml.fill(text)
  }

  async chooseImportFile(name: string, buffer: Buffer): Promise<void> {
    if (!(await this.importPanel.isVisible()))
      await this.page.getByRole('button', { name: 'Import rules…' }).click()
    await this.importPanel
      .getByLabel('Rule files to import')
      .setInputFiles({ name, mimeType: 'application/octet-stream', buffer })
  }

  importResult(name: string): Locator {
    return this.importPanel.getByRole('listitem', { name: `Rule import of ${name}` })
  }
}
