/** A 16×16 ring in the accent colour: the tray icon, inline so no asset path can go missing. */
export const TRAY_ICON_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAARUlEQVR42mNgoAXwW/j/PzZMkWaiDCGkGa8hyAr4RSSxYpyGEKMZryG4DMAnRtAAdH/T3wCKvUCTmCApLdAsNdI+M5EKADk5dxxZs1cBAAAAAElFTkSuQmCC'
