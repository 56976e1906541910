"""Flash messages of a PunchOut session, kept on the session itself.

A PunchOut page often lives in the buyer's iframe, where the browser sends no cookie: messages in a
cookie or in the sign-in session would be lost there ("Added to your cart", a quantity refused…), and
two PunchOut sessions open in one browser would show each other's. Inside a session (the
``/po/<key>/`` URLs), messages are kept on its row; everywhere else the usual cookie-then-session
storage applies.
"""

from __future__ import annotations

from typing import Any

from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse

from openprocure.supplier.punchout.models import PunchOutSession


class PunchOutMessageStorage(FallbackStorage):
    def _punchout(self) -> PunchOutSession | None:
        # Set by PunchOutSessionMiddleware, which runs after the messages middleware made this storage.
        return getattr(self.request, "punchout", None)

    def _get(self, *args: Any, **kwargs: Any) -> tuple[list[Message], bool]:
        session = self._punchout()
        if session is None:
            return super()._get(*args, **kwargs)  # type: ignore[misc]  # not in the stubs
        return [
            Message(item["level"], item["message"], extra_tags=item.get("extra_tags") or None)
            for item in session.pending_messages
        ], True

    def _store(
        self, messages: list[Message], response: HttpResponse, *args: Any, **kwargs: Any
    ) -> list[Message]:
        session = self._punchout()
        if session is None:
            return super()._store(messages, response, *args, **kwargs)  # type: ignore[misc]  # not in the stubs
        kept = [
            {"level": message.level, "message": str(message.message), "extra_tags": message.extra_tags or ""}
            for message in messages
        ]
        if kept != session.pending_messages:
            PunchOutSession.objects.filter(pk=session.pk).update(pending_messages=kept)
            session.pending_messages = kept
        return []
