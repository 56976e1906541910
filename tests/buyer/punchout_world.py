"""Shared by the buyer's PunchOut tests: the demo organisation's people, a stand-in supplier server,
returned carts as a supplier posts them, and a launch through HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import Client

from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import User

PEOPLE = [
    ("requester@acme.test", "Rita", "Requester", False),
    ("approver@acme.test", "Alan", "Approver", False),
    ("admin@acme.test", "Ada", "Admin", True),
    ("ap@acme.test", "Paul", "Payables", False),
]


class SupplierServer:
    """A real HTTP server on 127.0.0.1 playing a supplier's cXML endpoint; keeps what it received."""

    def __init__(
        self, answer: Callable[[bytes], tuple[int, bytes]], page: Callable[[str], bytes] | None = None
    ) -> None:
        """``answer`` replies to every request with cXML; ``page``, when given, answers a browser's GET
        with an HTML page (the supplier's shop, by path)."""
        self.answer = answer
        self.page = page
        self.received: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(
                self, status: int, payload: bytes, content_type: str = "text/xml; charset=utf-8"
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append(body)
                self._reply(*outer.answer(body))

            def do_GET(self) -> None:
                outer.received.append(self.path.encode())
                if outer.page is not None:
                    self._reply(200, outer.page(self.path), "text/html; charset=utf-8")
                    return
                self._reply(*outer.answer(b""))

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"{self.origin}/cxml/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SupplierServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def setup_response(start_page: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">'
        '<cXML payloadID="1@market.test" timestamp="2026-11-26T10:00:00+00:00"><Response>'
        '<Status code="200" text="OK"/><PunchOutSetupResponse><StartPage><URL>'
        f"{start_page}</URL></StartPage></PunchOutSetupResponse></Response></cXML>"
    ).encode()


def status_response(code: int, text: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<cXML payloadID="2@market.test" timestamp="2026-11-26T10:00:00+00:00"><Response>'
        f'<Status code="{code}" text="{text}">{message}</Status></Response></cXML>'
    ).encode()


def cart(
    cookie: str, items: list[tuple[str, str | None, str, str, str]], total: str, operation: str = "create"
) -> str:
    """A PunchOutOrderMessage; items are (SupplierPartID, aux or None, quantity, unit price, description)."""
    lines = []
    for part, aux, quantity, price, description in items:
        aux_xml = f"<SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID>" if aux is not None else ""
        lines.append(
            f'<ItemIn quantity="{quantity}"><ItemID><SupplierPartID>{part}</SupplierPartID>{aux_xml}</ItemID>'
            f'<ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice>'
            f'<Description xml:lang="en">{description}</Description><UnitOfMeasure>EA</UnitOfMeasure>'
            '<Classification domain="UNSPSC">44121615</Classification>'
            "<ManufacturerPartID>MP-1</ManufacturerPartID><ManufacturerName>Acme Pens</ManufacturerName>"
            '<Extrinsic name="Color">blue</Extrinsic></ItemDetail></ItemIn>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">'
        '<cXML payloadID="cart-1@market.test" timestamp="2026-11-26T10:05:00+00:00">'
        '<Header><From><Credential domain="NetworkId"><Identity>MARKETPLACE</Identity></Credential></From>'
        '<To><Credential domain="NetworkId"><Identity>ACME</Identity></Credential></To>'
        '<Sender><Credential domain="NetworkId"><Identity>MARKETPLACE</Identity></Credential>'
        "<UserAgent>Marketplace</UserAgent></Sender></Header>"
        f"<Message><PunchOutOrderMessage><BuyerCookie>{cookie}</BuyerCookie>"
        f'<PunchOutOrderMessageHeader operationAllowed="{operation}"><Total><Money currency="EUR">{total}</Money></Total>'
        f"</PunchOutOrderMessageHeader>{''.join(lines)}</PunchOutOrderMessage></Message></cXML>"
    )


def launch(
    client: Client, connection: PunchOutConnection, server: SupplierServer, **data: str
) -> PunchOutSession:
    connection.setup_url = server.url
    connection.save(update_fields=["setup_url"])
    response = client.post(f"/punchout/launch/{connection.pk}/", {"operation": "create", **data})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "http://market.test/start/abc"
    return PunchOutSession.objects.order_by("-id").first()  # type: ignore[return-value]


ITEMS = [
    ("PEN-001", 'aux: {"cart":7, "line":1}  ', "2", "1.25", "Blue pen"),
    ("  PAPER A4 ", None, "3.5", "4.10", "Paper &amp; more"),
]


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def connection_form_data(connection: PunchOutConnection, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": connection.name,
        "protocol": connection.protocol,
        "deployment_mode": connection.deployment_mode,
        "setup_url": connection.setup_url,
        "order_channel": connection.order_channel,
        "order_url": connection.order_url,
        "order_email": connection.order_email,
        "from_domain": connection.from_domain,
        "from_identity": connection.from_identity,
        "to_domain": connection.to_domain,
        "to_identity": connection.to_identity,
        "sender_domain": connection.sender_domain,
        "sender_identity": connection.sender_identity,
        "user_attributes": ["UserEmail", "CostCenter"],
        "oci_charset": "iso-8859-1",
        "oci_parameters": "{}",
        "oci_field_mapping": "{}",
        "oci_login_fields": "[]",
        "is_active": "on",
        "new_shared_secret": "",
    }
    data.update(changes)
    return data
