"""The reads of notes that pages and the API share; each module's first rule says who may see what:
``notes.notes_visible``, ``journal.journal_entries_readable``, ``ratings.ratings_visible``,
``sessions.sessions_visible``."""
