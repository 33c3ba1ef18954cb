"""The content security policy of pages that show a resource: YouTube's and Vimeo's players may be
framed there (and nowhere else)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.decorators import csp_update

EMBED_CSP = {"frame-src": ["'self'", "https://www.youtube-nocookie.com", "https://player.vimeo.com"]}


def embed_csp(view: Callable[..., Any]) -> Callable[..., Any]:
    wrapped = csp_update(EMBED_CSP)(view)
    wrapped.coachos_perm = getattr(view, "coachos_perm", None)  # type: ignore[attr-defined]
    return wrapped
