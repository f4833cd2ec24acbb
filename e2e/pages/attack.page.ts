import type { Locator, Page } from '@playwright/test'

export class AttackPage {
  readonly matrix: Locator
  readonly columns: Locator
  readonly cells: Locator
  readonly imported: Locator

  constructor(readonly page: Page) {
    this.matrix = page.getByLabel('ATT&CK matrix')
    this.columns = this.matrix.locator('section.attack-column')
    this.cells = this.matrix.locator('[data-technique]')
    this.imported = page.getByRole('status', { name: 'ATT&CK import' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'ATT&CK' }).click()
    await this.page.getByRole('heading', { name: 'ATT&CK', exact: true }).waitFor()
  }

  column(tactic: string): Locator {
    return this.matrix.getByRole('region', { name: tactic, exact: true })
  }

  /** A technique's cell; its accessible name says id, name, rules and alerts. */
  cell(tactic: string, id: string): Locator {
    return this.column(tactic).locator(`[data-technique="${id}"]`)
  }

  async importBundle(name: string, buffer: Buffer): Promise<void> {
    await this.page
      .getByLabel('ATT&CK bundle to import')
      .setInputFiles({ name, mimeType: 'application/json', buffer })
  }

  expand(id: string): Locator {
    return this.matrix.getByRole('button', {
      name: new RegExp(`^\\d+ subtechniques of ${id.replace('.', '\\.')}$`),
    })
  }
}
