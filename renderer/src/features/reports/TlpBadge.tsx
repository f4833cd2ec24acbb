import type { Tlp } from '../../../../collector/contract'
import { TLP_LABEL } from './labels'

/** TLP 2.0 colours: black background, the label in its colour (see app.css). */
export const TlpBadge = ({ tlp }: { tlp: Tlp }) => (
  <span className="tlp" data-tlp={tlp}>
    {TLP_LABEL[tlp]}
  </span>
)
