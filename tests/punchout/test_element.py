"""The models of cXML and OAGIS elements share one base: the element a model was read from is kept
as its keyword-only ``source``, which takes no part in equality or ``repr()``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from punchout.cxml.common import Extrinsic
from punchout.element import ElementModel
from punchout.oagis.model import Party


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        pytest.param(
            lambda source: Extrinsic("CostCenter", "4711", source=source),
            "Extrinsic(name='CostCenter', value='4711')",
            id="cxml",
        ),
        pytest.param(
            lambda source: Party("SUP-1", "Papeterie Martin", source=source),
            "Party(id='SUP-1', name='Papeterie Martin', address=None)",
            id="oagis",
        ),
    ],
)
def test_a_model_keeps_its_source_out_of_equality_and_repr(
    make: Callable[[etree._Element | None], ElementModel], shown: str
) -> None:
    element = etree.Element("Read")
    read, made = make(element), make(None)

    assert isinstance(read, ElementModel)
    assert read.source is element
    assert made.source is None
    assert read == made
    assert repr(read) == repr(made) == shown


def test_the_source_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        Party("SUP-1", "Papeterie Martin", None, etree.Element("Read"))  # type: ignore[call-arg]  # the point: refused
