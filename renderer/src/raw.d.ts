// Vite's `?raw` suffix: a file's text, bundled at build time (tests read the design tokens this way).
declare module '*?raw' {
  const text: string
  export default text
}
