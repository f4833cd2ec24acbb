export { formatTime } from '../../components/format'
