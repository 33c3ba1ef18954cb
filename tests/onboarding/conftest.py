from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from coachos.tenancy.roles import Role

from ..factories import ClientFactory, member


def png_bytes(size: tuple[int, int] = (60, 20)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    for x in range(5, size[0] - 5):
        image.putpixel((x, size[1] // 2), (0, 0, 0, 255))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # where signatures are kept


@pytest.fixture
def client_user(org: Any) -> Any:
    user = member(org, Role.CLIENT, email="casey@example.com", name="Casey Client")
    ClientFactory(organization=org, user=user, email=user.email, first_name="Casey", last_name="Client")
    return user


@pytest.fixture
def client_record(org: Any, client_user: Any) -> Any:
    from django_scopes import scopes_disabled

    from coachos.clients.models import Client

    with scopes_disabled():
        return Client.objects.get(user=client_user)
