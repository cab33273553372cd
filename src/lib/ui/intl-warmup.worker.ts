/**
 * Uses once what the page will use of Intl, so that ICU has loaded its locale
 * data, which the whole renderer process shares, by the time the page's main
 * thread asks: see warmUpIntl in format.ts.
 */
import { DATE_TIME_OPTIONS, TIME_OPTIONS } from './intl-options.ts'

new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(0)
new Intl.DateTimeFormat(undefined, DATE_TIME_OPTIONS).format(0)
// libp2p's peer store sorts addresses and protocols with localeCompare (ICU's collator)
'a'.localeCompare('b')
close()
