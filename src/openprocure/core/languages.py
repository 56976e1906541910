"""The language a person reads the site's e-mail in (``User.preferred_language``) and who set it.

The last explicit choice wins: the person's own choice (the site's language switch) always replaces
the stored language; a PunchOut request (cXML ``xml:lang``, OCI ``sap-language``) sets it only while
it is empty or was itself set by PunchOut, so it follows the procurement system's language until
the person chooses one. A language set in the admin counts as a choice too.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from openprocure.core.choices import LanguageSource
from openprocure.core.models import User

#: SAP's one-letter language keys (``sap-language=F``) of the languages the site ships.
_SAP_KEYS = {"E": "en", "F": "fr"}


def site_language(tag: str | None) -> str:
    """The site language (a code of ``settings.LANGUAGES``) that a language tag names, or "".

    ``fr-FR``, ``fr_fr``, ``FR`` and SAP's ``F`` name French; a language the site does not ship
    names none.
    """
    raw = (tag or "").strip()
    if raw in _SAP_KEYS:
        return _SAP_KEYS[raw]
    code = raw.replace("_", "-").lower()
    shipped = {language for language, _name in settings.LANGUAGES}
    if code in shipped:
        return code
    primary = code.split("-", 1)[0]
    return primary if primary in shipped else ""


def record_choice(*, user_id: int, language: str) -> bool:
    """The person chose ``language`` (a site language): store it as their choice. Whether stored."""
    code = site_language(language)
    if not code:
        return False
    User.objects.filter(pk=user_id).update(preferred_language=code, language_source=LanguageSource.PERSON)
    return True


def record_from_punchout(*, user_id: int, tag: str | None) -> bool:
    """A PunchOut request said the person works in ``tag``: store it unless they chose a language
    (or an administrator set one). Whether stored."""
    code = site_language(tag)
    if not code:
        return False
    updated = (
        User.objects.filter(pk=user_id)
        .filter(Q(preferred_language="") | Q(language_source=LanguageSource.PUNCHOUT))
        .update(preferred_language=code, language_source=LanguageSource.PUNCHOUT)
    )
    return updated > 0
