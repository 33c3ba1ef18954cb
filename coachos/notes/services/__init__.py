"""Every write of notes (HackSoftware style: ``<noun>_<verb>``, keyword-only, one transaction each).

- ``notes``: coach notes (create, save, autosave, restore, delete) and their action items
- ``attachments``: files on a note (add, remove)
- ``templates``: note and journal templates (the built-ins, the business's own)
- ``journal``: the client's entries and weekly goal
- ``prompts``: journal prompts the coach sends
- ``ratings``: session ratings
- ``legacy``: importing the old client notes and session notes
"""
