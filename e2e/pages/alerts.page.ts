import type { Locator, Page } from '@playwright/test'

export class AlertsPage {
  readonly grid: Locator
  readonly rows: Locator
  readonly shown: Locator
  readonly actions: Locator
  readonly detail: Locator
  readonly filters: Locator

  constructor(readonly page: Page) {
    this.grid = page.getByRole('grid', { name: 'Alerts' })
    this.rows = this.grid.locator('[data-alert-id]')
    this.shown = page.getByLabel('Alerts shown')
    this.actions = page.getByRole('toolbar', { name: 'Alert actions' })
    this.detail = page.getByRole('complementary', { name: 'Alert detail' })
    this.filters = page.getByRole('search', { name: 'Alert filters' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Alerts' }).click()
    await this.page.getByRole('heading', { name: 'Alerts', exact: true }).waitFor()
  }

  row(text: string): Locator {
    return this.rows.filter({ hasText: text })
  }

  /** The cell under a column header, found by the header's position. */
  async cell(row: Locator, column: string): Promise<Locator> {
    const headers = await this.grid.getByRole('columnheader').allTextContents()
    return row.getByRole('gridcell').nth(headers.indexOf(column))
  }

  action(name: string): Locator {
    return this.actions.getByRole('button', { name, exact: true })
  }
}
