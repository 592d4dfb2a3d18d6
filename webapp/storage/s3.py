"""Any S3-compatible object store (SeaweedFS, MinIO, Ceph RGW, cloud object storage), through boto3.

boto3 is the most widely used S3 client and speaks to every S3-compatible store; it costs about
25 MB and 0.13 s to import, so it is imported on first use, and only by processes configured with
``s3://`` (the embedded default never loads it). Credentials come from ZHIBU_STORAGE_ACCESS_KEY /
ZHIBU_STORAGE_SECRET_KEY, else boto3's usual sources (AWS_ACCESS_KEY_ID, instance roles), never
from the URL, which ends up in logs and process listings.
"""
from __future__ import annotations

import threading

from .base import ObjectMissing, Stored, StorageUnavailable, check_key

MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


class S3Storage:
    kind = "s3"
    shared = True

    def __init__(self, bucket: str, prefix: str = "", endpoint: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, addressing: str = "path",
                 connect_timeout: float = 3, read_timeout: float = 30, attempts: int = 3):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.endpoint, self.region = endpoint, region or "us-east-1"
        self._credentials = (access_key, secret_key)
        self._options = dict(addressing=addressing, connect_timeout=connect_timeout,
                             read_timeout=read_timeout, attempts=attempts)
        self._client = None
        self._lock = threading.Lock()

    @property
    def client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3  # noqa: PLC0415 - heavy: only processes that use S3 load it
                    from botocore.config import Config

                    o = self._options
                    access, secret = self._credentials
                    self._client = boto3.session.Session().client(
                        "s3", endpoint_url=self.endpoint, region_name=self.region,
                        aws_access_key_id=access or None, aws_secret_access_key=secret or None,
                        config=Config(s3={"addressing_style": o["addressing"]}, signature_version="s3v4",
                                      connect_timeout=o["connect_timeout"], read_timeout=o["read_timeout"],
                                      retries={"max_attempts": o["attempts"], "mode": "standard"}))
        return self._client

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, key: str, operation, **params):
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return operation(**params)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in MISSING_CODES:
                raise ObjectMissing(key) from error
            raise StorageUnavailable(f"s3://{self.bucket} {key}: {code} {error}") from error
        except (BotoCoreError, Boto3Error) as error:  # Boto3Error: upload_file's S3UploadFailedError
            raise StorageUnavailable(f"s3://{self.bucket} {key}: {error}") from error

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._call(key, self.client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data,
                   ContentType=content_type)

    def put_file(self, key: str, path: str, content_type: str) -> None:
        # upload_file sends large files in parts, in parallel threads
        self._call(key, self.client.upload_file, Filename=path, Bucket=self.bucket, Key=self._key(key),
                   ExtraArgs={"ContentType": content_type})

    def open(self, key: str) -> Stored:
        answer = self._call(key, self.client.get_object, Bucket=self.bucket, Key=self._key(key))
        return Stored(size=int(answer["ContentLength"]), content_type=answer.get("ContentType"),
                      body=answer["Body"])

    def exists(self, key: str) -> bool:
        try:
            self._call(key, self.client.head_object, Bucket=self.bucket, Key=self._key(key))
        except ObjectMissing:
            return False
        return True

    def keys(self, prefix: str = ""):
        """Every stored key under ``prefix``, with its size (for backups)."""
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start + prefix)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(start):], int(item["Size"])
        except Exception as error:  # noqa: BLE001 - listing failures mean the store is unusable now
            raise StorageUnavailable(f"s3://{self.bucket}: listing failed: {error}") from error

    def delete(self, key: str) -> None:
        self._call(key, self.client.delete_object, Bucket=self.bucket, Key=self._key(key))

    def signed_url(self, key: str, seconds: int, download_name: str | None = None) -> str:
        """A short-lived URL for one object (the app checks access before handing it out)."""
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if download_name:
            from urllib.parse import quote

            params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(download_name)}"
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)

    def check(self) -> None:
        self._call("(bucket)", self.client.head_bucket, Bucket=self.bucket)

    def create_bucket(self) -> None:
        """For set-up scripts and tests; production buckets are made by the operator."""
        self._call("(bucket)", self.client.create_bucket, Bucket=self.bucket)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.endpoint or 'AWS'}"
