"""Storage for files that must never be served as public media (signatures, receipts).

They live under ``PRIVATE_MEDIA_ROOT`` (outside ``MEDIA_ROOT``) and reach people only through
views that check who is asking.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def private_storage() -> Storage:
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
