/** search:global over the workspace tables: a substring match (LIKE) with a small limit per kind. */
import type { Database, Statement } from 'better-sqlite3'
import type { SearchHit } from '../../contract'

type Row = { id: string; title: string; detail: string | null; extra: string | null }
type Params = { like: string; limit: number }

/** `%`, `_` and `\` in what the analyst typed are literal. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

const LIKE = (column: string): string => `${column} LIKE @like ESCAPE '\\'`

export class SearchRepo {
  private readonly statements: Array<{ statement: Statement<Params, Row>; hit: (row: Row) => SearchHit }>

  constructor(db: Database) {
    const query = (sql: string, hit: (row: Row) => SearchHit) => ({
      statement: db.prepare<Params, Row>(sql),
      hit,
    })
    this.statements = [
      query(
        `SELECT id, title, status || ' · ' || severity AS detail, NULL AS extra FROM incidents
          WHERE ${LIKE('title')} OR ${LIKE('id')} ORDER BY updated_at DESC LIMIT @limit`,
        (r) => ({ kind: 'incident', ...fields(r), route: { view: 'incidents', params: { id: r.id } } }),
      ),
      query(
        `SELECT id, title, status || ' · ' || level || coalesce(' · ' || host, '') AS detail, NULL AS extra
          FROM alerts WHERE ${LIKE('title')} OR ${LIKE('host')} OR ${LIKE('id')}
          ORDER BY seq DESC LIMIT @limit`,
        (r) => ({ kind: 'alert', ...fields(r), route: { view: 'alerts', params: { id: r.id } } }),
      ),
      query(
        `SELECT id, title, status || ' · TLP:' || upper(tlp) AS detail, NULL AS extra FROM reports
          WHERE ${LIKE('title')} OR ${LIKE('body')} ORDER BY updated_at DESC LIMIT @limit`,
        (r) => ({ kind: 'report', ...fields(r), route: { view: 'reports', params: { id: r.id } } }),
      ),
      query(
        `SELECT id, name AS title, status AS detail, NULL AS extra FROM operations
          WHERE ${LIKE('name')} OR ${LIKE('objective')} ORDER BY seq DESC LIMIT @limit`,
        (r) => ({ kind: 'operation', ...fields(r), route: { view: 'operations', params: { id: r.id } } }),
      ),
      query(
        `SELECT id, title, status AS detail, operation_id AS extra FROM missions
          WHERE ${LIKE('title')} OR ${LIKE('objective')} ORDER BY seq DESC LIMIT @limit`,
        // A mission is shown within its operation.
        (r) => ({
          kind: 'mission',
          ...fields(r),
          route: { view: 'operations', params: { id: r.extra ?? '' } },
        }),
      ),
      query(
        `SELECT kind || ':' || key AS id, value AS title, kind AS detail, NULL AS extra FROM assets
          WHERE ${LIKE('value')} OR ${LIKE('owner')} OR ${LIKE('role')} ORDER BY last_seen DESC LIMIT @limit`,
        (r) => ({ kind: 'asset', ...fields(r), route: { view: 'assets', params: { id: r.id } } }),
      ),
    ]
  }

  search(text: string, limit: number): SearchHit[] {
    const params = { like: likePattern(text), limit }
    return this.statements.flatMap(({ statement, hit }) => statement.all(params).map(hit))
  }
}

const fields = (r: Row) => ({ id: r.id, title: r.title, detail: r.detail })
