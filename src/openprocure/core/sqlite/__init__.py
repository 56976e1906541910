"""SQLite database backend of both sites: Django's, with writers queued inside each process."""
