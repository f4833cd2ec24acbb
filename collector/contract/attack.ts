import { z } from 'zod'

const MatrixCell = z.object({
  id: z.string().describe('T1059 or T1059.001'),
  name: z.string().nullable().describe('null when no ATT&CK bundle is imported (or it lacks the id)'),
  rules: z.number().int().describe('enabled rules tagged with it or, for a technique, its subtechniques'),
  rules_total: z.number().int().describe('the same, enabled or not'),
  alerts: z.number().int().describe('alerts whose techniques include it (or its subtechniques)'),
})
export type MatrixCell = z.infer<typeof MatrixCell>

export const MatrixTechnique = MatrixCell.extend({ subtechniques: z.array(MatrixCell) })
export type MatrixTechnique = z.infer<typeof MatrixTechnique>

export const MatrixTactic = z.object({
  id: z.string().describe('TA0002; empty for the column of techniques in no known tactic'),
  shortname: z.string().describe('execution, as in attack.execution tags'),
  name: z.string(),
  techniques: z.array(MatrixTechnique),
})
export type MatrixTactic = z.infer<typeof MatrixTactic>

/** The ATT&CK calls; merged into `calls` in schemas.ts. */
export const attackCalls = {
  'attack:import': {
    req: z.union([
      z.strictObject({ path: z.string().min(1).describe("a STIX bundle on the collector's machine") }),
      z.strictObject({ upload_id: z.string().min(1).describe('from `PUT /api/upload` (browser mode)') }),
    ]),
    res: z.object({
      version: z.string(),
      tactics: z.number().int(),
      techniques: z.number().int().describe('active techniques and subtechniques stored'),
      problems: z.array(z.string()).describe('objects skipped and why, at most 100'),
    }),
  },
  'attack:matrix': {
    req: z.strictObject({}),
    res: z.object({
      imported: z
        .object({ version: z.string(), imported_at: z.string().describe('ISO-8601') })
        .nullable()
        .describe('null: no bundle imported; the matrix holds what rules and alerts name'),
      tactics: z.array(MatrixTactic),
    }),
  },
  'attack:techniques': {
    req: z.strictObject({ ids: z.array(z.string().min(1)).max(5000) }),
    res: z.object({ names: z.record(z.string(), z.string()).describe('only the ids the bundle knows') }),
  },
} as const
