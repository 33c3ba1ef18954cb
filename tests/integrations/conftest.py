from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .radicale_server import Radicale, radicale


@pytest.fixture
def caldav_server(tmp_path: Path) -> Iterator[Radicale]:
    with radicale(tmp_path) as server:
        yield server
