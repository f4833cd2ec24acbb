import type { Migration } from '../migrate'
import { migration0001 } from './0001-initial'
import { migration0002 } from './0002-tokens-dead-letters'
import { migration0003 } from './0003-idempotency-keys'
import { migration0004 } from './0004-artifacts-heartbeats'
import { migration0005 } from './0005-alerts'
import { migration0006 } from './0006-detection'
import { migration0007 } from './0007-audit'
import { migration0008 } from './0008-attack'
import { migration0009 } from './0009-reports'
import { migration0010 } from './0010-incident-cases'
import { migration0011 } from './0011-operations'
import { migration0012 } from './0012-assets'
import { migration0013 } from './0013-evidence'
import { migration0014 } from './0014-report-links'
import { migration0015 } from './0015-hunts'
import { migration0016 } from './0016-agents'
import { migration0017 } from './0017-actions'
import { migration0018 } from './0018-taxii-indicators'
import { migration0019 } from './0019-sync-records'
import { migration0020 } from './0020-sync-console'
import { migration0021 } from './0021-bundles'
import { migration0022 } from './0022-sync-origin'
import { migration0023 } from './0023-watchlist-view'
import { migration0024 } from './0024-sync-twoway'
import { migration0025 } from './0025-sync-outbox-channels'
import { migration0026 } from './0026-watchlist-levels'
import { migration0027 } from './0027-bundle-outbox'
import { migration0028 } from './0028-nats-relay'
import { migration0029 } from './0029-watchlist-lifecycle'
import { migration0030 } from './0030-bundle-received-versions'
import { migration0031 } from './0031-incident-removals'
import { migration0032 } from './0032-taxii-tlp'

/** Append-only: never edit a shipped migration, add the next number. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
  migration0014,
  migration0015,
  migration0016,
  migration0017,
  migration0018,
  migration0019,
  migration0020,
  migration0021,
  migration0022,
  migration0023,
  migration0024,
  migration0025,
  migration0026,
  migration0027,
  migration0028,
  migration0029,
  migration0030,
  migration0031,
  migration0032,
]
