// Entry of the built out/main/cli.js (see bin/outpost.js): plain Node, no Electron.
import { main } from './cli'

void main()
