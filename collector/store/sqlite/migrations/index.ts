import type { Migration } from '../migrate'
import { migration0001 } from './0001-initial'

/** Append-only: never edit a shipped migration, add the next number. */
export const migrations: readonly Migration[] = [migration0001]
