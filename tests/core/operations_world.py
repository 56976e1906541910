"""What the operator status page tests of both sites share: its address and how to read its tables."""

from __future__ import annotations

from lxml import html

URL = "/operations/"


def rows(page: bytes, table: str) -> list[list[str]]:
    """The text of each cell of each body row of the table with id ``table``."""
    tree = html.fromstring(page)
    return [
        [" ".join(cell.text_content().split()) for cell in row.findall("td")]
        for row in tree.get_element_by_id(table).find("tbody").findall("tr")
    ]
