"""Photos: uploaded by the phone (already shrunk in the browser), served only to people allowed."""
from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask_login import current_user, login_required

from ..errors import api_error
from ..extensions import db
from ..models import Photo
from ..storage.serve import send_object
from . import bp, photo_access, photos
from .validation import SHA256


@bp.route("/photos", methods=["POST"])
@login_required
def upload_photo():
    upload = request.files.get("photo")
    if upload is None:
        return api_error(400, "photo_missing", "请选择照片")
    try:
        photo, created = photos.store(upload.read(), current_user, request.form.get("sha256") or None)
    except photos.PhotoRejected as error:
        return api_error(400, error.code, str(error))
    db.session.commit()
    return jsonify({"sha256": photo.sha256, "width": photo.width, "height": photo.height,
                    "created": created,
                    "url": url_for("records.photo", sha256=photo.sha256),
                    "thumb_url": url_for("records.photo_thumb", sha256=photo.sha256)}), 201 if created else 200


def _serve(sha256: str, thumb: bool):
    sha256 = sha256.lower()
    if not SHA256.match(sha256) or not photo_access.may_see(current_user, sha256):
        abort(404)
    photo = db.session.get(Photo, sha256)
    if photo is None:
        abort(404)
    response = send_object(photos.key_for(sha256, thumb=thumb),
                           "image/jpeg" if thumb else photo.content_type, max_age=86400)
    if response.status_code == 200:  # not a redirect to a signed URL, which says its own lifetime
        response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.route("/photos/<sha256>")
@login_required
def photo(sha256: str):
    return _serve(sha256, thumb=False)


@bp.route("/photos/<sha256>/thumb")
@login_required
def photo_thumb(sha256: str):
    return _serve(sha256, thumb=True)
