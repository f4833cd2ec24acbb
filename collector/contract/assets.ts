import { z } from 'zod'
import { Alert, Incident } from './detection'

const isoTimestamp = z.string().describe('ISO-8601 timestamp with Z or an offset')

export const AssetKind = z.enum(['host', 'ip', 'user', 'process', 'service'])
export type AssetKind = z.infer<typeof AssetKind>

export const Criticality = z.enum(['low', 'medium', 'high', 'critical'])
export type Criticality = z.infer<typeof Criticality>

/**
 * Something events name: a host, an address, an account, a program, a service. Found passively
 * (first/last seen, event counts), or entered by hand before any event names it (assets:create);
 * an analyst adds what events cannot say (owner, criticality, role, tags, note). Its id is
 * `<kind>:<value>`, stable across rebuilds (missions link to it).
 */
export const Asset = z.object({
  id: z.string().describe('<kind>:<value>, e.g. host:ws01.corp.local or ip:10.0.0.5'),
  kind: AssetKind,
  value: z.string().describe('as first seen; matched case-insensitively for hosts, users, processes'),
  first_seen: isoTimestamp.nullable().describe('null for an asset entered by hand that no event named yet'),
  last_seen: isoTimestamp.nullable(),
  events: z.number().int().describe('events that named it'),
  alerts: z.number().int().describe('alerts on it (host and user assets)'),
  owner: z.string().nullable(),
  criticality: Criticality.nullable(),
  role: z.string().nullable(),
  tags: z.array(z.string()),
  note: z.string().nullable(),
  updated_at: isoTimestamp.nullable().describe('last manual change'),
})
export type Asset = z.infer<typeof Asset>

export const AssetRelation = z
  .enum(['address', 'logon', 'ran', 'spawned', 'connected', 'service'])
  .describe(
    'host-ip address; host/ip-user logon; user/host-process ran; process-process spawned; host-ip connected; host-service service',
  )
export type AssetRelation = z.infer<typeof AssetRelation>

export const AssetLink = z.object({
  asset: Asset,
  relation: AssetRelation,
  direction: z.enum(['out', 'in']).describe('out: this asset is the source (host -> ip, parent -> child)'),
  events: z.number().int(),
  first_seen: isoTimestamp,
  last_seen: isoTimestamp,
})
export type AssetLink = z.infer<typeof AssetLink>

export const GraphNode = z.object({
  id: z.string().describe('an asset id, or alert:<alert id>'),
  kind: z.union([AssetKind, z.literal('alert')]),
  label: z.string(),
  events: z.number().int(),
  alerts: z.number().int(),
  criticality: Criticality.nullable(),
  level: z.string().nullable().describe("an alert node's level"),
})
export type GraphNode = z.infer<typeof GraphNode>

export const GraphEdge = z.object({
  source: z.string(),
  target: z.string(),
  relation: z.union([AssetRelation, z.literal('alert')]),
  events: z.number().int(),
})
export type GraphEdge = z.infer<typeof GraphEdge>

const AssetId = z.string().min(3).max(2100).describe('<kind>:<value>')

/** The asset calls; merged into `calls` in schemas.ts. */
export const assetCalls = {
  'assets:list': {
    req: z.strictObject({
      query: z.string().max(200).optional().describe('in value, owner, role, tags'),
      kind: AssetKind.optional(),
      criticality: Criticality.optional(),
      tag: z.string().max(100).optional(),
      sort: z.enum(['last_seen', 'events', 'alerts', 'value']).default('last_seen'),
      limit: z.number().int().min(1).max(5000).default(500),
      offset: z.number().int().min(0).default(0),
    }),
    res: z.object({
      assets: z.array(Asset),
      total: z.number().int().describe('matching the filters'),
      kinds: z.record(AssetKind, z.number().int()).describe('all assets per kind, unfiltered'),
    }),
  },
  'assets:get': {
    req: z.strictObject({ id: AssetId, events: z.number().int().min(0).max(500).default(50) }),
    res: z.object({
      asset: Asset,
      links: z.array(AssetLink).describe('its neighbours, busiest first, at most 500'),
      alerts: z.array(Alert).describe('newest first, at most 200'),
      incidents: z.array(Incident),
      events: z
        .array(
          z.object({
            seq: z.number().int(),
            id: z.string(),
            timestamp: isoTimestamp,
            host: z.string().nullable(),
            message: z.string().nullable(),
          }),
        )
        .describe('recent events naming it, newest first'),
    }),
  },
  'assets:create': {
    req: z.strictObject({
      kind: AssetKind,
      value: z.string().trim().min(1, 'a value is required').max(2048),
      owner: z.string().trim().max(200).nullable().default(null),
      criticality: Criticality.nullable().default(null),
      role: z.string().trim().max(200).nullable().default(null),
      tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
      note: z.string().max(10_000).nullable().default(null),
    }),
    res: z.object({ asset: Asset }),
  },
  'assets:update': {
    req: z.strictObject({
      id: AssetId,
      owner: z.string().trim().max(200).nullable().optional(),
      criticality: Criticality.nullable().optional(),
      role: z.string().trim().max(200).nullable().optional(),
      tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
      note: z.string().max(10_000).nullable().optional(),
    }),
    res: z.object({ asset: Asset }),
  },
  'graph:get': {
    req: z.strictObject({
      center: AssetId.optional().describe('its neighbourhood; without it the busiest assets'),
      depth: z.number().int().min(1).max(3).default(2),
      kinds: z.array(AssetKind).optional().describe('only these kinds (the center is always kept)'),
      alerts: z.boolean().default(true).describe('alert nodes linked to their host and user'),
      limit: z.number().int().min(1).max(10_000).default(2000).describe('nodes at most'),
    }),
    res: z.object({
      nodes: z.array(GraphNode),
      edges: z.array(GraphEdge),
      truncated: z.boolean().describe('more nodes matched than the limit'),
    }),
  },
} as const
