import { z } from 'zod'

export const SearchKind = z.enum(['incident', 'alert', 'rule', 'report', 'operation', 'mission', 'asset'])
export type SearchKind = z.infer<typeof SearchKind>

/** Where a hit opens: a console view and its parameters (`#/<view>?<params>` in the renderer). */
export const SearchRoute = z.object({
  view: z.enum(['incidents', 'alerts', 'rules', 'reports', 'operations', 'missions', 'assets']),
  params: z.record(z.string(), z.string()),
})
export type SearchRoute = z.infer<typeof SearchRoute>

export const SearchHit = z.object({
  kind: SearchKind,
  id: z.string(),
  title: z.string(),
  detail: z.string().nullable().describe('a short second line: status, level, kind'),
  route: SearchRoute,
})
export type SearchHit = z.infer<typeof SearchHit>

export const searchCalls = {
  'search:global': {
    req: z.strictObject({
      text: z.string().trim().min(1).max(200).describe('matched as a substring, case-insensitive'),
      limit: z.number().int().min(1).max(25).default(5).describe('at most this many hits of each kind'),
    }),
    res: z.object({ hits: z.array(SearchHit).describe('grouped by kind, newest first within a kind') }),
  },
} as const
