import type { Locator } from '@playwright/test'
import jsQR from 'jsqr'

/**
 * What a camera would read from a QR code image on the page: the image's own
 * pixels, as the browser decoded them, given to an independent decoder (jsQR).
 */
export async function readQrCode (image: Locator): Promise<string | undefined> {
  const { width, height, rgba } = await image.evaluate(async (img: HTMLImageElement) => {
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = img.naturalWidth
    canvas.height = img.naturalHeight
    const context = canvas.getContext('2d')!
    context.drawImage(img, 0, 0)
    const bytes = context.getImageData(0, 0, canvas.width, canvas.height).data
    let binary = ''
    for (const byte of bytes) binary += String.fromCharCode(byte)
    return { width: canvas.width, height: canvas.height, rgba: btoa(binary) }
  })
  const pixels = new Uint8ClampedArray(Buffer.from(rgba, 'base64'))
  return jsQR(pixels, width, height)?.data
}
