import { DuckDBInstance, version, type DuckDBConnection } from '@duckdb/node-api'
import { StartupError } from '../../host/errors'

type ArchiveMigration = { version: number; name: string; sql: string }

/** Append-only, like SQLite's: add the next number, never edit a shipped one. */
const migrations: readonly ArchiveMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE events (
        seq         BIGINT PRIMARY KEY,   -- the SQLite seq it was copied from: the archive watermark
        id          VARCHAR NOT NULL,
        ts          TIMESTAMPTZ NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        listener    VARCHAR NOT NULL,
        source      VARCHAR,
        host        VARCHAR,
        severity    VARCHAR,
        message     VARCHAR,
        fields      JSON NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'metrics',
    // One row per data point; series are (source, name). No primary key: the Appender is the
    // write path and a key check per row would cost more than the rare duplicate point.
    sql: `
      CREATE TABLE metrics (
        ts          TIMESTAMPTZ NOT NULL,
        source      VARCHAR NOT NULL,
        name        VARCHAR NOT NULL,
        kind        VARCHAR NOT NULL,     -- gauge | counter | sum | histogram | summary
        value       DOUBLE NOT NULL,
        unit        VARCHAR,
        attributes  JSON,
        received_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'hunt-columns',
    // Hot columns extracted at archive time (collector/archive/hot-fields.ts) so hunts filter and
    // group without parsing JSON. No primary key: at 100k events/s the Appender spends most of
    // its time maintaining it, and its ART index lives in memory. Exactly-once comes from the
    // watermark instead: rows are appended in seq order, one transaction per batch, so max(seq)
    // is always what is complete. The table was never fed before this version, so it is rebuilt.
    sql: `
      DROP TABLE events;
      CREATE TABLE events (
        seq            BIGINT NOT NULL,
        id             VARCHAR NOT NULL,
        ts             TIMESTAMPTZ NOT NULL,
        received_at    TIMESTAMPTZ NOT NULL,
        listener       VARCHAR NOT NULL,
        source         VARCHAR,
        host           VARCHAR,
        severity       VARCHAR,
        message        VARCHAR,
        fields         JSON NOT NULL,
        kind           VARCHAR,   -- process | network | logon | file | registry | dns | … (hot-fields.ts)
        event_code     VARCHAR,   -- EventID and the like
        channel        VARCHAR,
        user_name      VARCHAR,
        process        VARCHAR,
        parent_process VARCHAR,
        command_line   VARCHAR,
        src_ip         VARCHAR,
        dst_ip         VARCHAR,
        dst_port       INTEGER
      );
      -- The archiver's watermark, written in the same transaction as each batch.
      CREATE TABLE archive_state (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL);
    `,
  },
]

/** Every column of the archive's events table, in order: exports and imports carry all of them. */
export const ARCHIVE_COLUMNS =
  'seq, id, ts, received_at, listener, source, host, severity, message, fields, kind, event_code, channel, ' +
  'user_name, process, parent_process, command_line, src_ip, dst_ip, dst_port'

/** The analytics archive beside the operational store. */
export class DuckArchive {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
    readonly schemaVersion: number,
  ) {}

  /**
   * `memoryLimitMb` caps DuckDB's buffer pool (its default is 80% of RAM, which a workstation
   * app must not take); queries past it spill to disk rather than fail.
   */
  static async open(path: string, options: { memoryLimitMb?: number } = {}): Promise<DuckArchive> {
    let instance: DuckDBInstance
    const limit = options.memoryLimitMb
    try {
      instance = await DuckDBInstance.create(
        path,
        limit !== undefined && Number.isInteger(limit) && limit > 0 ? { memory_limit: `${limit}MB` } : {},
      )
    } catch (error) {
      const message = (error as Error).message
      const hint = /lock/i.test(message) ? '; another program holds it open' : ''
      throw new StartupError(`cannot open ${path}: ${message.split('\n')[0]}${hint}`, { cause: error })
    }
    const connection = await instance.connect()
    try {
      await connection.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`)
      const reader = await connection.runAndReadAll(
        'SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_migrations',
      )
      const current = Number(reader.getRowObjectsJS()[0]?.v ?? 0)
      if (current > migrations.length) {
        throw new StartupError(
          `${path} has schema version ${current}, newer than this Outpost knows (${migrations.length}); run a newer Outpost or use another --data-dir`,
        )
      }
      for (const m of migrations.slice(current)) {
        await connection.run('BEGIN TRANSACTION')
        try {
          await connection.run(m.sql)
          await connection.run('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.version, m.name])
          await connection.run('COMMIT')
        } catch (error) {
          await connection.run('ROLLBACK')
          throw error
        }
      }
      return new DuckArchive(instance, connection, path, migrations.length)
    } catch (error) {
      connection.closeSync()
      instance.closeSync()
      if (error instanceof StartupError) throw error
      throw new StartupError(`cannot prepare ${path}: ${(error as Error).message}`, { cause: error })
    }
  }

  /** Another connection to the same database, for a writer that must not share the query connection. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect()
  }

  static libraryVersion(): string {
    return version()
  }

  close(): void {
    this.connection.closeSync()
    this.instance.closeSync()
  }
}
