"""A QR code PNG of a wallet link, so a phone wallet can open what the desktop shows (qrcode + Pillow, imported on
first use). Small: one bit per pixel, about 400-600 px wide, a few kilobytes."""

from __future__ import annotations

import io

TARGET_PIXELS = 480  # the image's side aims at this; a module is never smaller than 3 px
BORDER = 4  # modules of quiet zone, as the QR standard asks


def qr_png(text: str) -> bytes | None:
    """The PNG bytes of a QR code holding `text`, or None when it does not fit in a QR code (2,953 bytes at most)."""
    import qrcode
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=BORDER)
    code.add_data(text.encode("utf-8"))
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):
        return None
    modules = code.modules_count + 2 * BORDER
    code.box_size = max(3, TARGET_PIXELS // modules)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("1")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
