import type { Locator, Page } from '@playwright/test'

/** The Agents view: one row per agent, and the selected agent's run history. */
export class AgentsPage {
  readonly table: Locator

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Agents' })
  }

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Agents' }).click()
  }

  row(title: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${title}`) }) })
  }

  runNow(title: string): Locator {
    return this.table.getByRole('button', { name: `Run now ${title}` })
  }

  interval(title: string): Locator {
    return this.table.getByRole('textbox', { name: `${title} interval in seconds` })
  }

  saveInterval(title: string): Locator {
    return this.table.getByRole('button', { name: `Save interval of ${title}` })
  }

  enabled(title: string): Locator {
    return this.table.getByRole('checkbox', { name: `${title} enabled` })
  }

  error(title: string): Locator {
    return this.table.getByRole('alert', { name: `${title} error` })
  }

  history(title: string): Locator {
    return this.page.getByRole('table', { name: `Runs of ${title}` })
  }
}
