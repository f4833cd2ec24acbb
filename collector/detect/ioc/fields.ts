/**
 * Which fields of an event IOC matching reads, per kind of value: one table, nothing else is
 * scanned. Names are those of the record view rules see (record.ts: evtx_dump and Winlogbeat
 * flattened, so Windows events under their native names), plus flat or nested ECS names.
 *
 * | kind      | read as                                              | indicator types   |
 * | --------- | ---------------------------------------------------- | ----------------- |
 * | address   | an IP (or a list of them), canonicalised             | ip, cidr          |
 * | dns-reply | Sysmon 22 QueryResults: `type: 5 x;::ffff:1.2.3.4;`  | ip, cidr          |
 * | domain    | a host name (an IP there counts as an address)       | domain (+parents) |
 * | url       | an absolute URL; its host counts as a domain or IP   | url, domain, ip   |
 * | text      | URLs inside a command line: first 8 KiB, 16 at most  | url, domain, ip   |
 * | hashes    | Sysmon `SHA1=…,MD5=…,SHA256=…,IMPHASH=…`             | md5, sha1, sha256 |
 * | md5, …    | one hash of that algorithm                           | md5, sha1, sha256 |
 * | email     | an e-mail address                                    | email             |
 * | path      | a file path: its last component                      | filename          |
 *
 * Command lines are the one free text read: download cradles (bitsadmin, certutil, mshta,
 * PowerShell) name their URL only there. Messages and script blocks are not read: unbounded,
 * and what they quote is rarely what the host did.
 */
import { ADDRESS_FIELD_NAMES, PROGRAM_FIELD_NAMES } from '../../assets/extract'

export type FieldKind =
  | 'address'
  | 'dns-reply'
  | 'domain'
  | 'url'
  | 'text'
  | 'hashes'
  | 'md5'
  | 'sha1'
  | 'sha256'
  | 'email'
  | 'path'

export const IOC_FIELDS: ReadonlyArray<readonly [kind: FieldKind, names: readonly string[]]> = [
  [
    'address',
    [
      // The inventory's address fields (assets/extract.ts), then ECS and DNS answers.
      ...ADDRESS_FIELD_NAMES,
      'server.ip',
      'related.ip',
      'dns.resolved_ip',
      'SourceIPAddress', // Windows Firewall with Advanced Security logs, some Sysmon configs
      'DestinationIPAddress',
    ],
  ],
  ['dns-reply', ['QueryResults']],
  [
    'domain',
    [
      'QueryName', // Sysmon 22
      'DestinationHostname', // Sysmon 3
      'dns.question.name',
      'destination.domain',
      'server.domain',
      'url.domain',
      'cs-host', // W3C access logs
      'query', // Zeek dns.log, dnsmasq
    ],
  ],
  ['url', ['url.full', 'url.original', 'url', 'request_url', 'RequestUrl']],
  ['text', ['CommandLine', 'ParentCommandLine', 'process.command_line']],
  ['hashes', ['Hashes', 'Hash']], // Sysmon 1, 6, 7, 15, 23, 26 (Hash: FileCreateStreamHash)
  ['md5', ['file.hash.md5', 'process.hash.md5', 'hash.md5', 'md5']],
  ['sha1', ['file.hash.sha1', 'process.hash.sha1', 'hash.sha1', 'sha1']],
  ['sha256', ['file.hash.sha256', 'process.hash.sha256', 'hash.sha256', 'sha256']],
  [
    'email',
    [
      'email.from.address',
      'email.to.address',
      'email.sender.address',
      'email.reply_to.address',
      'user.email',
      'sender',
      'recipient',
      'UserPrincipalName',
    ],
  ],
  [
    'path',
    [
      ...PROGRAM_FIELD_NAMES,
      'ImageLoaded',
      'TargetFilename',
      'OriginalFileName',
      'SourceImage',
      'TargetImage',
      'file.path',
      'file.name',
      'process.name',
    ],
  ],
]

/** Command-line text read for URLs, and how many URLs at most: see the table. */
export const TEXT_BYTES = 8192
export const TEXT_URLS = 16
