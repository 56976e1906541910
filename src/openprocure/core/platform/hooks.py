"""Hooks the platform connector calls for each inbound flow; each site registers from its apps.

``invoice_received(entity=, flow=, journal=)``: an e-invoice addressed to ``entity`` (a SIREN) came
through its platform. A callable returns ``None`` when it took it, or the reason it refused it (it
answers the sender itself, e.g. a CDAR 213 Rejetée).

``status_received(entity=, status=, flow=, journal=)``: a CDAR lifecycle status
(``punchout.cdar.StatusMessage``) about one of the entity's invoices; same answer.

Both run in the transaction that records the flow as handled.
"""

from __future__ import annotations

from openprocure.core.hooks import Hook

invoice_received = Hook()
status_received = Hook()
