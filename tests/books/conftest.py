from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage

from coachos.books.models import Expense


@pytest.fixture(autouse=True)
def _private_files(monkeypatch: Any, tmp_path: Any) -> Any:
    """Receipts go to a temporary private folder (the field's storage was built at import)."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Expense._meta.get_field("receipt"), "storage", storage)
    return storage
