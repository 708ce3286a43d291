"""Key images: checked, stripped of metadata (GPS, camera, author) and stored under a
random name. Re-encoding is the stripping: only pixels survive it."""

from __future__ import annotations

import secrets
from io import BytesIO
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from advocacy.errors import DomainError

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_SIDE = 2400  # larger images are scaled down; networks show far less
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding them


def store_image(data: bytes, folder: Path, max_bytes: int) -> str:
    """Check and re-encode an uploaded image; return its new file name in `folder`."""
    if len(data) > max_bytes:
        raise DomainError(_("The image is larger than %(mb)d MB.", mb=max_bytes // 1_000_000))
    try:
        with Image.open(BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in FORMATS:
                raise DomainError(_("Upload a JPEG, PNG or WebP image."))
            if width * height > MAX_PIXELS:
                raise DomainError(_("The image has too many pixels."))
            probe.load()
            image = ImageOps.exif_transpose(probe)  # keep the orientation the EXIF gave
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise DomainError(_("This file is not an image we can read.")) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    name = f"{secrets.token_urlsafe(12)}.{FORMATS[kind]}"
    folder.mkdir(parents=True, exist_ok=True)
    save_as = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True},
               "WEBP": {"quality": 85}}[kind]
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.info.clear()  # no EXIF, ICC, XMP or text chunks are carried over
    image.save(folder / name, format=kind, **save_as)
    return name


def delete_image(folder: Path, name: str | None) -> None:
    if name and "/" not in name and not name.startswith("."):
        (folder / name).unlink(missing_ok=True)


def card_image(folder: Path, name: str | None,
               max_bytes: int = 950_000) -> tuple[bytes, str] | None:
    """The key image as a JPEG small enough for a link card (Bluesky takes up to 1 MB)."""
    if not name or "/" in name or not (folder / name).exists():
        return None
    with Image.open(folder / name) as image:
        picture = image.convert("RGB")
    for side, quality in ((1200, 85), (1000, 75), (800, 65), (600, 55)):
        picture.thumbnail((side, side))
        buffer = BytesIO()
        picture.save(buffer, format="JPEG", quality=quality, optimize=True)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue(), "image/jpeg"
    return None
