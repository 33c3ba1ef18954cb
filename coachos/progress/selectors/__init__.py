"""Reads of progress shared by the pages, the API, the report and the jobs (``access`` decides who may
see what; the other modules read within what the caller may see)."""
