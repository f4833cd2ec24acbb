import { z } from 'zod'

const isoTimestamp = z.string().describe('ISO-8601 timestamp')

const Skipped = z
  .record(z.string(), z.number().int())
  .describe(
    'indicators not taken, per reason: not-stix-pattern, complex-pattern, unsupported-object, bad-value, malformed',
  )

/** A configured TAXII 2.1 collection Outpost pulls indicators from, and how its pulls went. */
export const TaxiiSource = z.object({
  name: z.string(),
  url: z.string().describe("the collection's objects endpoint"),
  interval_s: z.number().int(),
  added_after: isoTimestamp.nullable().describe('the next pull asks for objects added after this'),
  last_pull_at: isoTimestamp.nullable(),
  last_ok_at: isoTimestamp.nullable(),
  last_error: z.string().nullable(),
  last_stored: z.number().int().describe('indicators stored or updated by the last pull'),
  last_skipped: Skipped,
  indicators: z.number().int().describe('indicators of this source held now'),
  running: z.boolean(),
})
export type TaxiiSource = z.infer<typeof TaxiiSource>

export const TaxiiPullResult = z.object({
  source: z.string(),
  stored: z.number().int(),
  removed: z.number().int().describe('revoked indicators taken off the list'),
  skipped: Skipped,
  pages: z.number().int(),
  error: z.string().nullable(),
})
export type TaxiiPullResult = z.infer<typeof TaxiiPullResult>

export const taxiiCalls = {
  'taxii:sources': {
    req: z.strictObject({}),
    res: z.object({ sources: z.array(TaxiiSource).describe('as configured in taxii.sources; empty: none') }),
  },
  'taxii:pull-now': {
    req: z.strictObject({
      source: z.string().min(1).optional().describe('one source by name; without it every source'),
    }),
    res: z.object({ results: z.array(TaxiiPullResult) }),
  },
} as const
