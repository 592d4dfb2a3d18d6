"""Photos addressed by the sha256 of their bytes, kept in the app's storage (webapp/storage/), with
thumbnails.

Uploading the same bytes twice is harmless (idempotent). A record may name a photo before it
arrives; ``photos_missing`` on the record says how many are still on their way.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Photo, Record, RecordPhoto, User
from ..rules.life import PHOTO_CONTENT_TYPES, PHOTO_MAX_BYTES, PHOTO_MAX_EDGE_PX, PHOTO_THUMB_EDGE_PX
from ..storage import storage
from . import photo_access

FORMAT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Pillow refuses to decode more pixels than this (twice the largest edge we keep, squared), whoever
# calls it: a header claiming 20000×20000 pixels is refused before any memory is spent on it.
MAX_IMAGE_PIXELS = (PHOTO_MAX_EDGE_PX * 2) ** 2


def _pillow():
    """Pillow, loaded by the first upload rather than by every worker, with the pixel cap set."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    return Image


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; the message is Chinese."""

    def __init__(self, message: str, code: str = "invalid_photo"):
        super().__init__(message)
        self.code = code


def key_for(sha256: str, thumb: bool = False) -> str:
    """The storage key: the same layout the instance folder had (photos/ab/abcd…[.thumb.jpg])."""
    suffix = ".thumb.jpg" if thumb else ""
    return f"photos/{sha256[:2]}/{sha256}{suffix}"


def count_missing(hashes: list[str]) -> int:
    if not hashes:
        return 0
    present = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(hashes))))
    return sum(1 for h in hashes if h not in present)


def store(content: bytes, uploader: User | None, expected_sha256: str | None = None) -> tuple[Photo, bool]:
    """Store the bytes; returns (photo, created). Verifies the hash when the client named one."""
    if len(content) > PHOTO_MAX_BYTES:
        raise PhotoRejected(f"照片过大（最多 {PHOTO_MAX_BYTES // (1024 * 1024)} MB）", "too_large")
    sha256 = hashlib.sha256(content).hexdigest()
    if expected_sha256 and expected_sha256.lower() != sha256:
        raise PhotoRejected("照片内容与标识不符（上传可能不完整），请重试", "hash_mismatch")
    existing = db.session.get(Photo, sha256)
    if existing is not None:
        photo_access.note_uploader(uploader, sha256)  # sending the bytes proves one holds them
        return existing, False
    image, content_type = _decoded(content)
    width, height = image.size
    thumb = image.convert("RGB")
    thumb.thumbnail((PHOTO_THUMB_EDGE_PX, PHOTO_THUMB_EDGE_PX))
    thumb_bytes = io.BytesIO()
    thumb.save(thumb_bytes, "JPEG", quality=80)
    # Both objects are written before the row: a row always has its files (a rewrite is harmless,
    # the key names the content), and a store that is down answers 503 with nothing recorded.
    storage().put(key_for(sha256), content, content_type)
    storage().put(key_for(sha256, thumb=True), thumb_bytes.getvalue(), "image/jpeg")
    photo = Photo(sha256=sha256, content_type=content_type, size=len(content), width=width,
                  height=height, uploaded_by_id=getattr(uploader, "id", None))
    db.session.add(photo)
    db.session.flush()
    photo_access.note_uploader(uploader, sha256)
    _refresh_missing_counts(sha256)
    return photo, True


def _decoded(content: bytes):
    """The image with its pixels read, and its content type; ``PhotoRejected`` for anything else.
    The header's size is checked before any pixel is read (a 20000×20000 "bomb" of a few KB), and a
    truncated file fails only when its pixels are read: both inside the one ``try``."""
    Image = _pillow()  # noqa: N806 - the module, named as Pillow's documentation names it
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            width, height = image.size
            if max(width, height) > PHOTO_MAX_EDGE_PX * 2:
                raise PhotoRejected(f"照片尺寸过大（{width}×{height}），请在手机上压缩后上传")
            content_type = FORMAT_TYPES.get(image.format or "")
            if content_type not in PHOTO_CONTENT_TYPES:
                raise PhotoRejected("只支持 JPEG、PNG 或 WebP 照片")
            image.verify()
            image = Image.open(io.BytesIO(content))
            image.load()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected("照片尺寸过大，请在手机上压缩后上传") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise PhotoRejected("无法识别的图片文件") from error
    return image, content_type


def _refresh_missing_counts(sha256: str) -> None:
    """A photo arrived: recount the missing photos of every record that names it."""
    record_ids = list(db.session.scalars(select(RecordPhoto.record_id).where(RecordPhoto.sha256 == sha256)))
    for record_id in record_ids:
        missing = db.session.scalar(
            select(func.count()).select_from(RecordPhoto)
            .outerjoin(Photo, Photo.sha256 == RecordPhoto.sha256)
            .where(RecordPhoto.record_id == record_id, Photo.sha256.is_(None)))
        db.session.execute(update(Record).where(Record.id == record_id).values(photos_missing=missing))
