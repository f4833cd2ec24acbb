import { ContractError } from '../contract'
import { ReportError } from '../store/sqlite/reports-repo'

/** The repos' refusals (unknown id, stale version, a move that cannot follow) as contract errors. */
export const refused = <T>(run: () => T): T => {
  try {
    return run()
  } catch (error) {
    if (error instanceof ReportError) throw new ContractError(error.code, error.message)
    throw error
  }
}
