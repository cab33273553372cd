import { correction, generate, type Bitmap2D } from 'lean-qr'

/**
 * Shown this large, a link-sized QR code (version 5 or so) has modules of
 * about 6 CSS px: another phone's camera reads it from half a metre.
 */
export const QR_SIZE_PX = 264
/** drawn at least twice the size, so high-density screens show sharp modules */
const QR_PIXEL_RATIO = 2
/**
 * The blank border the QR standard asks for: without it a camera can take the
 * page around the code (dark in a dark theme) for part of it.
 */
export const QUIET_ZONE_MODULES = 4

/** The QR code of a link, with level M error correction: it still reads with a scratch or a glare. */
export function qrCode (link: string): Bitmap2D {
  return generate(link, { minCorrectionLevel: correction.M })
}

/** A PNG of the code, in whole pixels per module so no module blurs into the next. */
export function qrDataUrl (link: string): string {
  const code = qrCode(link)
  const modules = code.size + 2 * QUIET_ZONE_MODULES
  const scale = Math.ceil((QR_SIZE_PX * QR_PIXEL_RATIO) / modules)
  // opaque white, not lean-qr's transparent default: an image saved from the
  // page and viewed on a dark background must still read
  return code.toDataURL({ type: 'image/png', scale, pad: QUIET_ZONE_MODULES, on: [0, 0, 0, 255], off: [255, 255, 255, 255] })
}
