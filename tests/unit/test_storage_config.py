"""ZHIBU_STORAGE_URL: the local folder by default, S3 by URL, keys never in the URL."""
import pytest

from webapp.storage import BadStorageURL, from_config
from webapp.storage.base import check_key
from webapp.storage.local import LocalStorage


def test_default_is_the_instance_folder_and_file_urls_name_another(tmp_path):
    default = from_config({}, str(tmp_path))
    assert isinstance(default, LocalStorage) and default.root == tmp_path / "uploads" and not default.shared
    assert from_config({"INSTANCE_UPLOADS": str(tmp_path / "u")}, "/x").root == tmp_path / "u"
    assert from_config({"STORAGE_URL": f"file://{tmp_path}/files"}, "/x").root == tmp_path / "files"


def test_s3_url_names_bucket_prefix_endpoint_and_takes_keys_from_settings():
    store = from_config({"STORAGE_URL": "s3://zhibu/prod?endpoint=http://10.0.0.5:8333&region=cn-north-1",
                         "STORAGE_ACCESS_KEY": "ak", "STORAGE_SECRET_KEY": "sk"}, "/x")
    assert (store.kind, store.shared, store.bucket, store.prefix) == ("s3", True, "zhibu", "prod")
    assert store.endpoint == "http://10.0.0.5:8333" and store.region == "cn-north-1"
    assert store._key("photos/ab/abc") == "prod/photos/ab/abc"


@pytest.mark.parametrize("url, why", [
    ("s3://ak:sk@zhibu?endpoint=http://h", "must not carry keys"),
    ("s3:///?endpoint=http://h", "needs a bucket"),
    ("s3://zhibu?endpoint=http://h&acl=public", "unknown option"),
    ("s3://zhibu?addressing=sideways", "path or virtual"),
    ("ftp://h/x", "unsupported scheme"),
])
def test_bad_urls_say_what_is_wrong(url, why):
    with pytest.raises(BadStorageURL, match=why):
        from_config({"STORAGE_URL": url}, "/x")


@pytest.mark.parametrize("key", ["../etc/passwd", "photos/../../x", "/abs", "photos//x", "photos/a b", "Photos/x"])
def test_keys_cannot_climb_out(key):
    with pytest.raises(ValueError):
        check_key(key)
