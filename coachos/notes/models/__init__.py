"""Notes' models: coach notes (``notes``), the client's journal (``journal``), session ratings (``ratings``)."""

from .attachments import NoteAttachment
from .journal import JournalEntry, JournalGoal, JournalPrompt, JournalPromptRecipient, JournalTag, Mood
from .notes import Note, NoteActionItem, NoteTag, NoteTemplate, NoteVersion
from .ratings import SessionRating

__all__ = [
    "JournalEntry", "JournalGoal", "JournalPrompt", "JournalPromptRecipient", "JournalTag", "Mood",
    "Note", "NoteActionItem", "NoteAttachment", "NoteTag", "NoteTemplate", "NoteVersion", "SessionRating",
]
