"""Uploaded pictures: checked by content, never by name, and re-encoded so nothing of the original survives.

Re-encoding drops EXIF (GPS positions from phones), ICC and text chunks, turns the picture upright and
scales it down, so what we store and serve is an image we wrote ourselves.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from pbvote.core.errors import DomainError

MAX_IMAGES = 3
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


class ImageRejected(DomainError):
    """The upload is not a picture we accept."""

    code = "image_rejected"


@dataclass(frozen=True)
class PreparedImage:
    """A re-encoded picture, ready to store."""

    data: bytes
    mime_type: str
    width: int
    height: int


def prepare_image(raw: bytes) -> PreparedImage:
    """Check an upload by its content and re-encode it.

    Args:
        raw: the uploaded bytes (at most ``MAX_UPLOAD_BYTES``; callers read one byte more to tell).

    Returns:
        The picture as JPEG (or PNG when it has transparency), upright, at most ``MAX_SIDE`` px.

    Raises:
        ImageRejected: too large, not JPEG/PNG/WebP, too many pixels, or unreadable.
    """
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ImageRejected(_l("The image is too large. Each image may be at most 5 MB."))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
            _check_pixels(image.width, image.height)
            if image.format == "JPEG":
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode big photos at a reduced scale
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ImageRejected(
                _l("The file is not an image we can use. Upload a JPEG, PNG or WebP picture.")
            ) from exc
    return _reencode(image)


def _too_many_pixels() -> ImageRejected:
    return ImageRejected(_l("The image has too many pixels. Use a picture of at most 40 megapixels."))


def _check_pixels(width: int, height: int) -> None:
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise _too_many_pixels()


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _reencode(image: Image.Image) -> PreparedImage:
    """Upright, scaled down, stripped of metadata; JPEG unless transparency needs PNG."""
    upright = ImageOps.exif_transpose(image) or image
    transparent = _has_transparency(upright)
    picture = upright.convert("RGBA" if transparent else "RGB")
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if transparent:
        picture.save(out, format="PNG", optimize=True)
        mime = "image/png"
    else:
        picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        mime = "image/jpeg"
    return PreparedImage(data=out.getvalue(), mime_type=mime, width=picture.width, height=picture.height)


def image_filename(proposal_id: int, position: int, mime_type: str) -> str:
    """A name we make up for downloads, so nothing the uploader typed reaches a header."""
    return f"forslag-{proposal_id}-{position + 1}.{EXTENSIONS.get(mime_type, 'bin')}"
