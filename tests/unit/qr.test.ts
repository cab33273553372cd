import jsQR from 'jsqr'
import { describe, expect, it } from 'vitest'
import { QUIET_ZONE_MODULES, qrCode } from '../../src/lib/ui/qr.ts'

/** draws the code as the page's PNG has it (quiet zone included), a module per `scale` pixels */
function pixels (link: string, scale = 4): { data: Uint8ClampedArray, width: number } {
  const code = qrCode(link)
  const modules = code.size + 2 * QUIET_ZONE_MODULES
  const width = modules * scale
  const data = new Uint8ClampedArray(width * width * 4).fill(255)
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const mx = Math.floor(x / scale) - QUIET_ZONE_MODULES
      const my = Math.floor(y / scale) - QUIET_ZONE_MODULES
      if (mx >= 0 && my >= 0 && mx < code.size && my < code.size && code.get(mx, my)) {
        data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3)
      }
    }
  }
  return { data, width }
}

describe('the QR code of a share link', () => {
  // read back by an independent decoder (jsQR), as another phone's camera would
  it('should read back as the exact link, relay hint included', () => {
    const links = [
      'http://localhost:9090/p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK',
      'https://chat.example.org/p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK?relay=%2Fdns4%2Frelay.example.org%2Ftcp%2F443%2Fwss%2Fp2p%2F12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
    ]
    for (const link of links) {
      const { data, width } = pixels(link)
      expect(jsQR(data, width, width)?.data).toBe(link)
    }
  })

  it('should correct errors at level M or better, so a glare does not stop it reading', () => {
    const link = 'http://localhost:9090/p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
    const { data, width } = pixels(link)
    expect(jsQR(data, width, width)?.data).toBe(link)
    expect(['M', 'Q', 'H']).toContain(correctionOf(data, width))
  })
})

function correctionOf (data: Uint8ClampedArray, width: number): string | undefined {
  // jsQR does not report the level; read it from the format information under the
  // top-left finder: modules (0, 8) and (1, 8) carry it, XOR-masked with 1 and 0
  // (ISO 18004 7.9; checked against codes made at each level)
  const scale = 4
  const dark = (mx: number, my: number): boolean => {
    const x = (mx + QUIET_ZONE_MODULES) * scale + 1
    const y = (my + QUIET_ZONE_MODULES) * scale + 1
    return data[(y * width + x) * 4] === 0
  }
  const bits = (Number(dark(0, 8)) ^ 1) << 1 | (Number(dark(1, 8)) ^ 0)
  return { 0b01: 'L', 0b00: 'M', 0b11: 'Q', 0b10: 'H' }[bits]
}
