import { z } from 'zod'

/**
 * A TAXII 2.1 collection to pull indicators from: the URL of its objects endpoint
 * (…/collections/<id>/objects/), or an API root's URL and the collection's id (or alias).
 */
export const TaxiiSourceConfig = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        'letters, digits, dots, dashes and underscores (at most 64)',
      ),
    url: z.url({ protocol: /^https?$/ }),
    collection: z.string().min(1).optional(),
    // Bearer token, or username and password (Basic). Kept in the config file (mode 0600).
    token: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    // PEM bundle of the CA(s) that signed the server's certificate (an internal PKI).
    ca_file: z.string().regex(/^\//, 'an absolute path').optional(),
    interval_s: z
      .number()
      .int()
      .min(60)
      .max(7 * 86400)
      .default(3600),
    page_size: z.number().int().min(1).max(1000).default(500),
  })
  .superRefine((source, ctx) => {
    if (
      source.collection === undefined &&
      !/\/collections\/[^/]+\/objects\/?$/.test(new URL(source.url).pathname)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'give the objects URL (…/collections/<id>/objects/) or an API root URL and collection',
      })
    if (source.token !== undefined && source.username !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'either token or username/password, not both',
      })
    if ((source.username === undefined) !== (source.password === undefined))
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'username and password go together' })
  })
export type TaxiiSourceConfig = z.infer<typeof TaxiiSourceConfig>

/** TLP 2.0 levels, least restricted first: what the TAXII server's ceiling is compared against. */
export const TLP_ORDER = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const
export type TlpLevel = (typeof TLP_ORDER)[number]

export const TaxiiConfig = z
  .strictObject({
    // The most restricted TLP the TAXII server (/taxii2/) shares: published reports above it, and
    // their objects, are left out of objects, manifests and pages. TLP:GREEN is community-wide;
    // AMBER and above are for named recipients, whom a shared token does not tell apart.
    serve_max_tlp: z.enum(TLP_ORDER).default('green'),
    // Off by default: Outpost makes no outbound connection until a source is listed here.
    sources: z
      .array(TaxiiSourceConfig)
      .default([])
      .refine(
        (sources) => new Set(sources.map((s) => s.name)).size === sources.length,
        'source names must be unique',
      ),
  })
  .prefault({})

/** Where a source's objects are: its objects URL, with a trailing slash as TAXII writes them. */
export const objectsUrl = (source: TaxiiSourceConfig): URL => {
  const url = new URL(source.url)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  if (source.collection !== undefined)
    url.pathname += `collections/${encodeURIComponent(source.collection)}/objects/`
  url.search = ''
  return url
}
