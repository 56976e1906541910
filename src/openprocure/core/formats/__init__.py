"""Date, time and number formats of the sites' languages (``FORMAT_MODULE_PATH``).

Every page writes dates through Django's ``date`` filter with one of the named formats
(``SHORT_DATE_FORMAT``, ``SHORT_DATETIME_FORMAT``, ``DATE_FORMAT``, ``DATETIME_FORMAT``), so the active
language decides how a date reads. English is written day, month name, year and a 24-hour clock
(``6 Dec 2026, 21:51``): a British reader and an American one read it the same way, which
``12/06/2026`` never allows. French follows CLDR (``06/12/2026 21:51``, ``6 décembre 2026``).
"""
