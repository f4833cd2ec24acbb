/**
 * Windows events in one flat shape, whichever way they arrive: `evtx_dump`-style JSON
 * (`{"Event":{"System":{…},"EventData":{…}}}`) or the XML an EVTX record renders to. EventData
 * fields go to the top level beside `EventID`, `Channel`, `Computer`, `Provider_Name`,
 * `TimeCreated` and a few other System fields, as Sigma rules and analysts name them.
 */
export type FlatRecord = Record<string, unknown>

type Obj = Record<string, unknown>

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const attrs = (value: unknown): Obj =>
  isObj(value) && isObj(value['#attributes']) ? value['#attributes'] : {}

/** evtx_dump writes an element with attributes and text as `{"#attributes":{…},"#text":…}`. */
const text = (value: unknown): unknown => (isObj(value) && '#text' in value ? value['#text'] : value)

export const isEvtxDumpEvent = (value: Obj): boolean => isObj(value.Event) && isObj(value.Event.System)

/** EventData as evtx_dump writes it: named fields, or `Data` items carrying a `Name` attribute. */
const eventDataFields = (data: unknown, out: FlatRecord): void => {
  if (!isObj(data)) return
  for (const [key, value] of Object.entries(data)) {
    if (key === '#attributes') continue
    if (key === 'Data' && (Array.isArray(value) || isObj(value))) {
      const unnamed: unknown[] = []
      const items: unknown[] = Array.isArray(value) ? value : [value]
      for (const item of items) {
        const name = attrs(item).Name
        // `{"#attributes":{"Name":…}}` alone is an empty Data element.
        const itemValue = isObj(item) ? (item['#text'] ?? null) : item
        if (typeof name === 'string') out[name] = itemValue
        else unnamed.push(itemValue)
      }
      if (unnamed.length > 0) out.Data = unnamed.length === 1 ? unnamed[0] : unnamed
    } else out[key] = text(value)
  }
}

/** UserData holds one provider-specific element; its children are the event's fields. */
const userDataFields = (data: unknown, out: FlatRecord): void => {
  if (!isObj(data)) return
  for (const [key, inner] of Object.entries(data)) {
    if (key === '#attributes') continue
    if (isObj(inner)) {
      for (const [field, value] of Object.entries(inner))
        if (field !== '#attributes') out[field] = text(value)
    } else out[key] = inner
  }
}

const SYSTEM_SCALARS = ['Channel', 'Computer', 'Level', 'Task', 'Keywords', 'EventRecordID'] as const

const systemFields = (system: Obj): FlatRecord => {
  const out: FlatRecord = {}
  const eventId = text(system.EventID)
  out.EventID = typeof eventId === 'string' && /^\d+$/.test(eventId) ? Number(eventId) : eventId
  for (const key of SYSTEM_SCALARS) if (key in system) out[key] = text(system[key])
  const provider = attrs(system.Provider)
  if (typeof provider.Name === 'string') out.Provider_Name = provider.Name
  const created = attrs(system.TimeCreated).SystemTime
  if (created !== undefined) out.TimeCreated = created
  // The EVTX renderer writes an absent UserID as UserID=""; evtx_dump writes no Security at all.
  const user = attrs(system.Security).UserID
  if (user !== undefined && user !== '') out.Security_UserID = user
  return out
}

/** Flattens one evtx_dump-style object; the caller checked `isEvtxDumpEvent`. */
export const flattenEvtxDump = (value: Obj): FlatRecord => {
  const event = value.Event as Obj
  const out = systemFields(event.System as Obj)
  eventDataFields(event.EventData, out)
  userDataFields(event.UserData, out)
  return out
}

// ---------------------------------------------------------------------------------------------
// EVTX records render to XML; we read that XML back into the evtx_dump object shape and flatten
// it with the same code, so both sources give identical records.

export type XmlElement = { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }

export const decodeXmlText = (value: string): string =>
  value.indexOf('&') < 0
    ? value
    : value.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
        if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16))
        if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)))
        return ENTITIES[ref] ?? whole
      })

const TAG =
  /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>/g
const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

/** A small XML reader for the well-formed XML the EVTX renderer produces; throws on mismatched tags. */
export const parseXml = (xml: string): XmlElement => {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' }
  const stack: XmlElement[] = [root]
  let last = 0
  TAG.lastIndex = 0
  for (let match = TAG.exec(xml); match; match = TAG.exec(xml)) {
    const top = stack[stack.length - 1]!
    top.text += decodeXmlText(xml.slice(last, match.index))
    last = TAG.lastIndex
    if (match[5] !== undefined) {
      top.text += match[5]
      continue
    }
    const [, closing, name, attrText, selfClosing] = match
    if (name === undefined) continue // declaration or comment
    if (closing) {
      if (top.name !== name) throw new Error(`XML: </${name}> closes <${top.name}>`)
      stack.pop()
      continue
    }
    const element: XmlElement = { name, attrs: {}, children: [], text: '' }
    ATTR.lastIndex = 0
    for (let a = ATTR.exec(attrText ?? ''); a; a = ATTR.exec(attrText ?? ''))
      element.attrs[a[1]!] = decodeXmlText(a[2] ?? a[3] ?? '')
    top.children.push(element)
    if (!selfClosing) stack.push(element)
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is not closed`)
  const event = root.children[0]
  if (!event) throw new Error('XML: no element')
  return event
}

const GUID = /^\{([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}$/

/**
 * The XML has lost the substitution types evtx_dump writes from, so we restore the two that
 * matter: whole decimal integers become numbers, and GUID-typed fields (named `…Guid`, as in
 * Sysmon and Security events) lose their braces. Other text stays text.
 */
const typed = (name: string, value: string): unknown => {
  if (/^(0|-?[1-9]\d{0,15})$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value)
  const guid = /guid$/i.test(name) ? GUID.exec(value) : null
  return guid ? guid[1] : value
}

/** An element as evtx_dump writes it: attributes under `#attributes`, text as a typed value. */
const toDumpShape = (element: XmlElement): unknown => {
  const hasAttrs = Object.keys(element.attrs).length > 0
  if (element.children.length === 0) {
    const value = element.text.length > 0 ? typed(element.attrs.Name ?? element.name, element.text) : null
    if (!hasAttrs) return value
    return value === null
      ? { '#attributes': element.attrs }
      : { '#attributes': element.attrs, '#text': value }
  }
  const out: Obj = hasAttrs ? { '#attributes': element.attrs } : {}
  for (const child of element.children) {
    const value = toDumpShape(child)
    const prior = out[child.name]
    if (prior === undefined) out[child.name] = value
    else if (Array.isArray(prior) && child.name === 'Data') prior.push(value)
    else out[child.name] = [prior, value]
  }
  return out
}

/** One rendered EVTX record -> the flat record, the same as `flattenEvtxDump` of evtx_dump's JSON. */
export const flattenEventXml = (xml: string): FlatRecord => {
  const event = parseXml(xml)
  if (event.name !== 'Event') throw new Error(`XML: expected <Event>, found <${event.name}>`)
  const shape = toDumpShape(event) as Obj
  if (!isObj(shape.System)) throw new Error('XML: the event has no <System>')
  // evtx_dump keys EventData by `Name` and keeps the text of each Data element whole.
  return flattenEvtxDump({ Event: shape })
}
