"""The notes app's API router (mounted at /api/v1/ in coachos/api.py): notes and templates
(``api_notes``), the journal and prompts (``api_journal``), ratings and a session's notes
(``api_ratings``). Contract: docs/notes.md and /api/v1/openapi.json."""

from ninja import Router

from .api_journal import router as journal_router
from .api_notes import router as notes_router
from .api_ratings import router as ratings_router

router = Router()
router.add_router("", notes_router)
router.add_router("", journal_router)
router.add_router("", ratings_router)
