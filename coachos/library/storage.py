"""Where library files live: private local disk by default (``PRIVATE_MEDIA_ROOT/library/…``, never
served as media), or an S3-compatible bucket through django-storages when ``STORAGE_URL`` is set
(``s3://KEY:SECRET@BUCKET?endpoint_url=https://…&region_name=…``). Either way a file reaches a person
only through a view that checks access first (``files.file_response``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.files.storage import Storage

from coachos.common.storage import PrivateStorage


def s3_options(url: str) -> dict[str, Any]:
    """django-storages' S3 options from ``STORAGE_URL`` (private objects, short-lived signed URLs)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ValueError("STORAGE_URL must look like s3://KEY:SECRET@BUCKET?endpoint_url=…")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options: dict[str, Any] = {
        "bucket_name": parts.hostname,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(query.pop("expire", "300")),
        "file_overwrite": False,
        "location": query.pop("location", "library"),
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
    if parts.password:
        options["secret_key"] = unquote(parts.password)
    for key in ("endpoint_url", "region_name", "custom_domain", "addressing_style", "signature_version"):
        if key in query:
            options[key] = query[key]
    return options


def uses_s3() -> bool:
    return bool(getattr(settings, "STORAGE_URL", ""))


def library_storage() -> Storage:
    if uses_s3():
        from storages.backends.s3 import S3Storage

        return S3Storage(**s3_options(settings.STORAGE_URL))
    return PrivateStorage(base_url=None)
