// Shared test input: a document carrying every observable type, technique, timeline entry and evidence.
import type { ExportDocument } from './model'

export function sampleDocument(overrides: Partial<ExportDocument> = {}): ExportDocument {
  return {
    kind: 'report',
    id: 'rep-0001',
    title: "Beacon to evil.example from WS-042 (Alice's laptop)",
    body_markdown:
      '# Summary\n\nPowerShell **downloaded** a payload.\n\n<script>alert(1)</script>\n\n- step one\n- step two\n',
    status: 'published',
    tlp: 'amber',
    author: 'alice',
    organization: 'Outpost',
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-21T12:30:00.123Z',
    version: 3,
    observables: [
      {
        type: 'ipv4',
        value: '10.0.0.1',
        first_seen: '2026-11-20T09:00:00Z',
        last_seen: '2026-11-20T09:30:00Z',
        note: null,
      },
      { type: 'ipv4', value: '203.0.113.0/24', first_seen: null, last_seen: null, note: 'C2 range' },
      { type: 'ipv6', value: '2001:db8::1', first_seen: null, last_seen: null, note: null },
      { type: 'domain', value: 'evil.example', first_seen: null, last_seen: null, note: 'C2' },
      {
        type: 'url',
        value: "https://evil.example/a?q='x'&b=1",
        first_seen: null,
        last_seen: null,
        note: null,
      },
      {
        type: 'md5',
        value: 'D41D8CD98F00B204E9800998ECF8427E',
        first_seen: null,
        last_seen: null,
        note: null,
      },
      {
        type: 'sha1',
        value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
        first_seen: null,
        last_seen: null,
        note: null,
      },
      {
        type: 'sha256',
        value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        first_seen: null,
        last_seen: null,
        note: null,
      },
      { type: 'email', value: 'phish@evil.example', first_seen: null, last_seen: null, note: null },
      { type: 'user', value: 'CORP\\alice', first_seen: null, last_seen: null, note: '=cmd|calc' },
      { type: 'host', value: 'WS-042', first_seen: null, last_seen: null, note: null },
      { type: 'file', value: "invoice 'final'.exe", first_seen: null, last_seen: null, note: '+1, "quoted"' },
    ],
    techniques: [
      { id: 'T1059.001', name: 'PowerShell', tactics: ['execution'], alerts: 4 },
      { id: 'T1071', name: null, tactics: ['command-and-control'], alerts: 1 },
    ],
    timeline: [
      { at: '2026-11-20T09:00:00Z', kind: 'alert', text: 'Sigma: Suspicious PowerShell download' },
      { at: '2026-11-20T09:05:00Z', kind: 'action', text: 'Isolated WS-042' },
    ],
    evidence: [
      {
        name: 'pcap-1.pcap',
        sha256: '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81',
        size: 3,
        bytes: new Uint8Array([1, 2, 3]),
      },
      { name: 'memory.dmp', sha256: 'a'.repeat(64), size: 1_000_000 },
    ],
    labels: ['phishing'],
    related: [
      { kind: 'operation', id: 'op-1', label: 'Operation <Harbor>' },
      { kind: 'asset', id: 'host:ws-042', label: 'ws-042' },
    ],
    ...overrides,
  }
}
