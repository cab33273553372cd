/**
 * What counts as showing nothing, for a chosen name and for a message alike.
 * No imports: the state layer and the UI use it alike.
 */

/**
 * Characters that show nothing: format characters (zero-width space and
 * joiners, direction marks and other bidi controls, the byte order mark),
 * spaces of any width, and the Hangul fillers and the blank braille pattern,
 * which fonts draw blank (the braille one is the usual way to send "nothing").
 */
const INVISIBLE = /[\p{Cf}\p{Z}\u115F\u1160\u2800\u3164\uFFA0]/gu

/**
 * Whether `text` shows nothing: only spaces, line breaks and the characters
 * above. A name made of them would leave the list entry and the notification
 * title empty; a message, an empty bubble on both sides.
 */
export function showsNothing (text: string): boolean {
  return text.replace(INVISIBLE, '').trim() === ''
}
