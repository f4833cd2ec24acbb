import type { Endpoint } from '../../../collector/contract'

export type Snippet = { id: string; name: string; file: string; text: string }

/** A listener bound to every address is reached through loopback from this machine. */
const reach = (ep: Endpoint): string => (ep.host === '0.0.0.0' || ep.host === '::' ? '127.0.0.1' : ep.host)

/**
 * Configs for the common forwarders, aimed at the listeners this collector actually has.
 * A forwarder whose listener is off is left out (with nothing to point at, no snippet).
 */
export const forwarderSnippets = (listeners: Readonly<Record<string, Endpoint>>): Snippet[] => {
  const out: Snippet[] = []
  const tcp = listeners.syslog_tcp
  const udp = listeners.syslog_udp
  const syslog = tcp ?? udp
  if (syslog) {
    const at = `${reach(syslog)}:${syslog.port}`
    out.push({
      id: 'rsyslog',
      name: 'rsyslog',
      file: '/etc/rsyslog.d/60-outpost.conf',
      text: tcp
        ? `# everything to Outpost over TCP (RFC 5424, octet-framed)\n*.* action(type="omfwd" target="${reach(tcp)}" port="${tcp.port}" protocol="tcp"\n       template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted")`
        : `*.* @${at};RSYSLOG_SyslogProtocol23Format`,
    })
    out.push({
      id: 'syslog-ng',
      name: 'syslog-ng',
      file: '/etc/syslog-ng/conf.d/outpost.conf',
      text: `destination d_outpost {\n  syslog("${reach(syslog)}" port(${syslog.port}) transport("${tcp ? 'tcp' : 'udp'}"));\n};\nlog { source(s_src); destination(d_outpost); };`,
    })
  }
  const forward = listeners.forward
  const http = listeners.http
  if (forward)
    out.push({
      id: 'fluent-bit',
      name: 'Fluent Bit',
      file: '/etc/fluent-bit/fluent-bit.conf',
      text: `[OUTPUT]\n    Name   forward\n    Match  *\n    Host   ${reach(forward)}\n    Port   ${forward.port}`,
    })
  else if (http)
    out.push({
      id: 'fluent-bit',
      name: 'Fluent Bit',
      file: '/etc/fluent-bit/fluent-bit.conf',
      text: `[OUTPUT]\n    Name    http\n    Match   *\n    Host    ${reach(http)}\n    Port    ${http.port}\n    URI     /v1/events\n    Format  json`,
    })
  if (http)
    out.push({
      id: 'vector',
      name: 'Vector',
      file: '/etc/vector/outpost.toml',
      text: `[sinks.outpost]\ntype = "http"\ninputs = ["*"]\nuri = "http://${reach(http)}:${http.port}/v1/events"\nencoding.codec = "json"\nframing.method = "newline_delimited"`,
    })
  const elastic = listeners.elastic
  if (elastic)
    out.push({
      id: 'winlogbeat',
      name: 'Winlogbeat',
      file: 'winlogbeat.yml',
      text: `output.elasticsearch:\n  hosts: ["http://${reach(elastic)}:${elastic.port}"]\nsetup.ilm.enabled: false\nsetup.template.enabled: false`,
    })
  return out
}
