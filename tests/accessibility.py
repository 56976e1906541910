"""axe-core in Chromium: the serious and critical accessibility violations of a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_VERSION = "4.14.1"
AXE = Path(__file__).resolve().parent.parent / ".venv" / f"axe-core-{AXE_VERSION}" / "axe.min.js"


def axe_script() -> str:
    if not AXE.is_file():
        raise AssertionError(
            f"axe-core {AXE_VERSION} is not installed: run scripts/fetch_axe.sh (./run-tests does it)"
        )
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Any) -> list[str]:
    """Each serious or critical violation on ``page`` as "rule: target (message)".

    The context must be made with ``bypass_csp=True``: the sites' Content-Security-Policy refuses the
    injected script, as it should refuse any inline script.
    """
    page.add_script_tag(content=axe_script())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ') + ' (' + n.failureSummary.split('\\n')[1] + ')'))"
    )
    return [str(item) for item in result]
