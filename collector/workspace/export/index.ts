// The export library's public surface: pure functions from an ExportDocument to files.
export * from './model'
export {
  toStixBundle,
  tlpMarkingDefinition,
  TLP2_MARKING_IDS,
  TLP2_EXTENSION_ID,
  type StixBundle,
  type StixObject,
} from './stix'
export { loadStixSchemas, validateStixBundle, type StixSchemas, type StixValidation } from './stix-validate'
export { checkStixPattern } from './stix-pattern'
export { toMarkdown } from './markdown'
export { toHtml, TLP_COLOURS } from './html'
export { observablesCsv } from './csv'
export { toMispEvent, type MispEvent, type MispAttribute } from './misp'
export { toNavigatorLayer, type NavigatorLayer } from './navigator'
export { toPackage, readManifest, type Manifest, type ManifestFile, type ManifestEvidence } from './package'
