import type { Locator, Page } from '@playwright/test'

export class EventsPage {
  readonly table: Locator
  readonly rows: Locator
  readonly total: Locator
  readonly connection: Locator
  readonly empty: Locator

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Events' })
    this.rows = this.table.getByRole('rowgroup').nth(1).getByRole('row')
    this.total = page.getByLabel('Stored events')
    this.connection = page.getByRole('status', { name: 'Connection' })
    this.empty = page.getByRole('region', { name: 'No events yet' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    // The landing view is the dashboard.
    await this.page.getByRole('link', { name: /^Events/ }).click()
    await this.page.getByRole('heading', { name: 'Events', exact: true }).waitFor()
  }

  rowWithMessage(message: string): Locator {
    return this.rows.filter({ hasText: message })
  }
}
