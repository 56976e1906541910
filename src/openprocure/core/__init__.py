"""Pieces shared by both sites: users, the document journal, the outbox, status machines, templates."""
