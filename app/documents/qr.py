"""QR codes on paper, drawn as 1-bit inline image masks (one bit per module, not interpolated:
sharp at any printer resolution, ~100 bytes each).

A sign-in sheet of 4,000 members carries 4,000 codes. The `qrcode` package needs ~0.4 ms per
code even with version and mask fixed (~2 ms with its search), too slow for a 2 s batch, so the
common case — a short token (<= 26 bytes) at version 2, error correction M, mask 0 — is encoded
here with the function-pattern template taken from `qrcode` once and a table-driven
Reed-Solomon step; anything longer goes through `qrcode` itself. Tests decode every printed code
with zbar and compare matrices with `qrcode`'s.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

Matrix = list[list[bool]]

_VERSION = 2
_SIZE = 4 * _VERSION + 17          # 25 modules
_DATA_CODEWORDS = 28               # version 2-M: 28 data + 16 EC codewords, one block
_EC_CODEWORDS = 16
MAX_FAST_BYTES = _DATA_CODEWORDS - 2  # mode (4 bits) + count (8 bits) + data + terminator

# GF(256) with the QR primitive polynomial x^8 + x^4 + x^3 + x^2 + 1.
_EXP = [0] * 512
_LOG = [0] * 256
_v = 1
for _i in range(255):
    _EXP[_i] = _v
    _LOG[_v] = _i
    _v <<= 1
    if _v & 0x100:
        _v ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _generator(degree: int) -> list[int]:
    g = [1]
    for i in range(degree):
        nxt = [0] * (len(g) + 1)
        for j, coef in enumerate(g):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        g = nxt
    return g


_GEN_LOG = [_LOG[c] for c in _generator(_EC_CODEWORDS)[1:]]
_EC_BITS = 8 * _EC_CODEWORDS
_EC_MASK = (1 << _EC_BITS) - 1
# The generator multiplied by each factor, as one 128-bit integer: the remainder register of
# the division is then shifted and XORed as a whole.
_FACTOR_ROWS = [0] + [
    int.from_bytes(bytes(_EXP[_LOG[f] + gl] for gl in _GEN_LOG), "big") for f in range(1, 256)
]
_BYTE_BITS = [format(b, "08b") for b in range(256)]


def _rs_remainder(data: bytes) -> bytes:
    rem = 0
    for byte in data:
        factor = byte ^ (rem >> (_EC_BITS - 8))
        rem = ((rem << 8) & _EC_MASK) ^ _FACTOR_ROWS[factor]
    return rem.to_bytes(_EC_CODEWORDS, "big")


@lru_cache(maxsize=1)
def _template() -> tuple[str, int, tuple[int, ...], int]:
    """Version 2-M mask 0: the function patterns as a '0'/'1' string of SIZE*SIZE modules
    (data modules '0'), the mask over the data bits in placement order as an integer, and the
    permutation that places [fixed modules + data bits] into the matrix, and the number of
    data modules."""
    q = qrcode.QRCode(version=_VERSION, error_correction=ERROR_CORRECT_M, border=0)
    q.modules_count = _SIZE
    q.modules = [[None] * _SIZE for _ in range(_SIZE)]
    q.setup_position_probe_pattern(0, 0)
    q.setup_position_probe_pattern(_SIZE - 7, 0)
    q.setup_position_probe_pattern(0, _SIZE - 7)
    q.setup_position_adjust_pattern()
    q.setup_timing_pattern()
    q.setup_type_info(False, 0)
    grid = q.modules
    order: list[tuple[int, int]] = []
    row, inc = _SIZE - 1, -1
    for col in range(_SIZE - 1, 0, -2):
        if col <= 6:
            col -= 1
        while True:
            for c in (col, col - 1):
                if grid[row][c] is None:
                    order.append((row, c))
            row += inc
            if row < 0 or row >= _SIZE:
                row -= inc
                inc = -inc
                break
    fixed = "".join("1" if v else "0" for r in grid for v in r)
    mask = int("".join("1" if (r + c) % 2 == 0 else "0" for r, c in order), 2)
    perm = list(range(_SIZE * _SIZE))
    for i, (r, c) in enumerate(order):
        perm[r * _SIZE + c] = _SIZE * _SIZE + i
    return fixed, mask, tuple(perm), len(order)


def _fast_modules(payload: bytes) -> str:
    """The matrix as SIZE*SIZE '0'/'1' characters, row by row."""
    fixed, mask, perm, total = _template()
    bits = "0100" + _BYTE_BITS[len(payload)] + "".join(_BYTE_BITS[b] for b in payload)
    capacity = _DATA_CODEWORDS * 8
    bits += "0" * min(4, capacity - len(bits))
    bits += "0" * (-len(bits) % 8)
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")
    data += (b"\xec\x11" * _DATA_CODEWORDS)[:_DATA_CODEWORDS - len(data)]
    stream = "".join(_BYTE_BITS[b] for b in data + _rs_remainder(data))
    stream = stream.ljust(total, "0")  # remainder bits
    masked = format(int(stream, 2) ^ mask, f"0{total}b")
    return "".join(itemgetter(*perm)(fixed + masked))


def qr_modules(text: str) -> list[str]:
    """Rows of the QR code for `text` as '0'/'1' strings, '1' dark (no quiet zone)."""
    payload = text.encode("utf-8")
    if len(payload) <= MAX_FAST_BYTES:
        flat = _fast_modules(payload)
        return [flat[i:i + _SIZE] for i in range(0, _SIZE * _SIZE, _SIZE)]
    q = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    q.add_data(payload)
    q.make(fit=True)
    return ["".join("1" if v else "0" for v in row) for row in q.get_matrix()]


def qr_matrix(text: str) -> Matrix:
    """Dark modules of the QR code for `text` (no quiet zone)."""
    return [[ch == "1" for ch in row] for row in qr_modules(text)]


def _inline_mask(rows: list[str]) -> str:
    """A PDF inline image mask of the matrix (1 bit per module, '1' paints), hex-encoded."""
    n = len(rows)
    pad = -n % 8
    hex_rows = "".join(format(int(row, 2) << pad, f"0{(n + pad) // 4}x") for row in rows)
    return f"BI /IM true /W {n} /H {n} /BPC 1 /D [1 0] /F /AHx ID {hex_rows}> EI"


def draw_qr(c: Canvas, x: float, y: float, size: float, text: str) -> None:
    """Draw the QR code for `text` with its lower-left corner at (x, y), `size` points wide
    (the caller leaves the quiet zone: 2 modules are enough for phone and desk scanners)."""
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.transform(size, 0, 0, size, x, y)
    c.addLiteral(_inline_mask(qr_modules(text)))
    c.restoreState()
