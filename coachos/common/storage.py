"""Storage for files that must never be served as public media (signatures, receipts).

They live under ``PRIVATE_MEDIA_ROOT`` (outside ``MEDIA_ROOT``) and reach people only through
views that check who is asking.
"""

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A file system storage under ``PRIVATE_MEDIA_ROOT`` that follows the setting when it
    changes (as ``MEDIA_ROOT`` does for the default storage), so tests can point it elsewhere."""

    @cached_property
    def base_location(self) -> Any:
        return self._value_or_setting(getattr(self, "_location", None), settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> Storage:
    return PrivateStorage(base_url=None)
