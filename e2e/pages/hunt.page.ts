import type { Locator, Page } from '@playwright/test'

export class HuntPage {
  readonly bar: Locator
  readonly query: Locator
  readonly range: Locator
  readonly matches: Locator
  readonly syntaxError: Locator
  readonly histogram: Locator
  readonly fields: Locator
  readonly results: Locator
  readonly rows: Locator
  readonly tabs: Locator

  constructor(readonly page: Page) {
    this.bar = page.getByRole('search', { name: 'Hunt query' })
    this.query = this.bar.getByRole('searchbox', { name: 'Query' })
    this.range = this.bar.getByRole('combobox', { name: 'Time range' })
    this.matches = page.getByRole('status', { name: 'Hunt matches' })
    this.syntaxError = page.getByRole('alert', { name: 'Query error' })
    this.histogram = page.getByRole('img', { name: /^Histogram:/ })
    this.fields = page.getByRole('complementary', { name: 'Fields' })
    this.results = page.getByRole('table', { name: 'Hunt results' })
    this.rows = this.results.getByRole('row').filter({ has: page.getByRole('cell') })
    this.tabs = page.getByRole('navigation', { name: 'Hunt views' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Hunt', exact: true }).click()
    await this.page.getByRole('heading', { name: 'Hunt', exact: true }).waitFor()
  }

  async run(query: string): Promise<void> {
    await this.query.fill(query)
    await this.query.press('Enter')
  }

  /** Opens a field in the sidebar and clicks one of its top values (alt-click: exclude it). */
  async refine(field: string, value: string, exclude = false): Promise<void> {
    await this.fields
      .locator('summary')
      .filter({ hasText: new RegExp(`^${field} \\d`) })
      .click()
    await this.fields
      .getByRole('button', { name: `Filter ${field} ${value}` })
      .click({ modifiers: exclude ? ['Alt'] : [] })
  }
}
