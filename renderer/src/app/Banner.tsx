import { readableOn } from '../components/contrast'
import { useAppStore } from '../state/store'

/** The site's classification/TLP marking (config `ui.banner`), above every view. */
export const Banner = () => {
  const banner = useAppStore((s) => s.info?.ui.banner ?? null)
  if (!banner) return null
  return (
    <div
      className="classification-banner"
      role="note"
      aria-label="Classification"
      style={{ background: banner.color, color: readableOn(banner.color) }}
    >
      {banner.text}
    </div>
  )
}
