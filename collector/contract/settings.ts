import { z } from 'zod'

/** The parts of config.yaml the Settings view edits, one `settings:update` each. */
export const SETTINGS_SECTIONS = [
  'api',
  'listeners.http',
  'listeners.syslog_udp',
  'listeners.syslog_tcp',
  'listeners.syslog_tls',
  'listeners.hec',
  'listeners.gelf_udp',
  'listeners.gelf_tcp',
  'listeners.forward',
  'listeners.elastic',
  'listeners.otlp',
  'storage',
  'archive',
  'detection',
  'actions',
  'webhooks',
  'bundles',
  'ui',
  'connector',
  'taxii',
  'nats',
] as const
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number]

const FileHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'the hash settings:get returned (sha256 hex)')
  .describe('sha256 of config.yaml as settings:get read it: a file changed since is refused (conflict)')

export const CertificateInfo = z.object({
  setting: z.string().describe('the config key, e.g. listeners.syslog_tls.cert_file'),
  path: z.string().describe('resolved against the data dir'),
  subject: z.string().nullable(),
  issuer: z.string().nullable(),
  valid_to: z.string().nullable().describe('ISO-8601'),
  expired: z.boolean(),
  error: z.string().nullable().describe('why it could not be read (missing file, not PEM…)'),
})
export type CertificateInfo = z.infer<typeof CertificateInfo>

export const SettingsSnapshot = z.object({
  data_dir: z.string(),
  data_dir_source: z
    .string()
    .describe('how this data dir was chosen and how to pick another (--data-dir, $OUTPOST_DATA_DIR)'),
  config_file: z.string(),
  hash: FileHash.describe('sha256 of config.yaml now: pass it back as base_hash'),
  mtime: z.string().nullable().describe('config.yaml last modified (ISO-8601)'),
  config: z
    .record(z.string(), z.unknown())
    .describe("config.yaml's effective values (defaults filled in); secrets shown only by their end"),
  file_error: z
    .string()
    .nullable()
    .describe('config.yaml does not parse now (edited by hand): config is what runs; fix the file'),
  sections: z.array(
    z.object({
      section: z.enum(SETTINGS_SECTIONS),
      live: z.array(z.string()).describe('fields applied at once when saved; the rest at restart'),
    }),
  ),
  restart_required: z
    .array(z.string())
    .describe('fields whose saved value differs from what runs: restart Outpost to apply them'),
  certificates: z.array(CertificateInfo),
})
export type SettingsSnapshot = z.infer<typeof SettingsSnapshot>

export const settingsCalls = {
  'settings:get': { req: z.strictObject({}), res: SettingsSnapshot },
  'settings:update': {
    req: z.strictObject({
      section: z.enum(SETTINGS_SECTIONS),
      values: z
        .record(z.string(), z.unknown())
        .describe("the section's keys to change (others stay as in the file); null clears a nullable one"),
      base_hash: FileHash,
    }),
    res: z.object({
      changed: z.array(z.string()).describe('fields whose effective value changed'),
      applied: z.array(z.string()).describe('of those, applied at once'),
      restart: z.array(z.string()).describe('of those, applied at the next start'),
      settings: SettingsSnapshot,
    }),
  },
} as const

export const settingsEvents = {
  'settings:changed': z
    .object({
      applied: z.array(z.string()).describe('fields applied at once: views showing them reload'),
      restart_required: z.array(z.string()),
    })
    .describe('config.yaml was saved through settings:update (by this window or another)'),
} as const
