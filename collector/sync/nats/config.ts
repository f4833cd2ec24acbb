import { z } from 'zod'

/** NATS JetStream between consoles and the replicas of a team core. Off by default. */
export const NatsConfig = z
  .strictObject({
    enabled: z.boolean().default(false),
    servers: z
      .array(z.string().regex(/^(nats|tls):\/\/[^\s/]+$/, 'nats://host:port or tls://host:port'))
      .min(1)
      .default(['nats://127.0.0.1:4222']),
    // This console's or team's site: the second token of the subjects it publishes to.
    site: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, dashes and underscores (a single subject token)')
      .default('default'),
    // This core replica's name: its durable consumer. Each replica has its own, so each applies every record.
    replica: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, dashes and underscores')
      .default('core-1'),
    // Copies of the stream kept in the NATS cluster (1 on a single server; 3 on a three-node cluster).
    replicas: z.number().int().min(1).max(5).default(1),
    // JetStream drops a message whose id (the record's idempotency key) it saw within this window.
    duplicate_window_s: z.number().int().min(1).max(86_400).default(120),
    // Stream retention (0 = unlimited): JetStream drops the oldest records past any of these,
    // consumed or not, so a replica down longer than max_age_days misses what was dropped.
    max_age_days: z.number().min(0).max(36_500).default(30),
    max_bytes: z.number().int().min(0).default(0),
    max_msgs: z.number().int().min(0).default(0),
  })
  .prefault({})
export type NatsConfig = z.infer<typeof NatsConfig>
