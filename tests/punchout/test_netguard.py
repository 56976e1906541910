"""Requests to partners' URLs reach public addresses only (punchout.netguard): each kind of
non-public address is refused before anything is sent, the allow-list lets named hosts and networks
through, and the connection goes to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from tests.partner_server import PartnerServer

from punchout import netguard
from punchout.conformance.report import Outcome
from punchout.conformance.runner import Runner
from punchout.cxml.transport import http_exchange, post_cxml
from punchout.netguard import NetworkPolicy, RefusedDestination, address_category, check_url, resolve
from punchout.oagis.transport import post_bod

HINT = "allow it in the partner network allow-list if it is yours"
STRICT = NetworkPolicy()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/cxml", f"127.0.0.1 is a loopback address; {HINT}"),
        ("http://[::1]:9/cxml", f"::1 is a loopback address; {HINT}"),
        ("http://10.0.0.5/cxml", f"10.0.0.5 is a private address; {HINT}"),
        ("http://172.16.3.4/cxml", f"172.16.3.4 is a private address; {HINT}"),
        ("https://192.168.1.20/cxml", f"192.168.1.20 is a private address; {HINT}"),
        ("http://[fd00::5]/cxml", f"fd00::5 is a private address; {HINT}"),
        ("http://169.254.169.254/latest/meta-data/", f"169.254.169.254 is a link-local address; {HINT}"),
        ("http://[fe80::1]/", f"fe80::1 is a link-local address; {HINT}"),
        ("http://224.0.0.1/", f"224.0.0.1 is a multicast address; {HINT}"),
        ("http://240.0.0.1/", f"240.0.0.1 is a reserved address; {HINT}"),
        ("http://0.0.0.0:8000/", f"0.0.0.0 is an unspecified address; {HINT}"),
        ("http://100.64.0.1/", f"100.64.0.1 is a non-public address; {HINT}"),
        ("http://[::ffff:127.0.0.1]/", f"::ffff:127.0.0.1 is a loopback address; {HINT}"),
        ("http://localhost:9/cxml", f"localhost resolves to a loopback address 127.0.0.1; {HINT}"),
    ],
)
def test_every_kind_of_non_public_address_is_refused(url: str, message: str) -> None:
    with pytest.raises(RefusedDestination) as refused:
        resolve(url, policy=STRICT)
    assert str(refused.value) == message
    with pytest.raises(RefusedDestination) as refused_again:
        http_exchange(url, b"<x/>", policy=STRICT)
    assert str(refused_again.value) == message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", "only http and https URLs are requested, not ftp: (ftp://example.com/x)"),
        ("file:///etc/passwd", "only http and https URLs are requested, not file: (file:///etc/passwd)"),
        ("/cxml/", "only http and https URLs are requested, not a relative URL (/cxml/)"),
        ("http:///cxml/", "the URL http:///cxml/ names no host"),
    ],
)
def test_only_http_and_https_urls_are_requested(url: str, message: str) -> None:
    with pytest.raises(RefusedDestination) as refused:
        http_exchange(url, b"<x/>", policy=STRICT)
    assert str(refused.value) == message


def test_public_addresses_pass_and_categories_are_named() -> None:
    assert resolve("https://93.184.215.14/cxml", policy=STRICT).addresses == ("93.184.215.14",)
    assert resolve("https://[2606:4700::1111]/", policy=STRICT).addresses == ("2606:4700::1111",)
    assert address_category(ipaddress.ip_address("8.8.8.8")) is None
    assert address_category(ipaddress.ip_address("::")) == "unspecified"
    assert address_category(ipaddress.ip_address("ff02::1")) == "multicast"


def test_the_allow_list_takes_networks_addresses_and_host_names() -> None:
    policy = NetworkPolicy.from_entries(
        ["10.20.0.0/16", "192.168.1.7", " localhost ", "fd00::/8"], hint="ask"
    )
    assert resolve("http://10.20.30.40/", policy=policy).addresses == ("10.20.30.40",)
    assert resolve("http://192.168.1.7/", policy=policy).addresses == ("192.168.1.7",)
    assert resolve("http://[fd00::9]/", policy=policy).addresses == ("fd00::9",)
    assert resolve("http://LOCALHOST:8000/", policy=policy).addresses[0] in ("127.0.0.1", "::1")
    with pytest.raises(RefusedDestination, match=r"^10\.21\.0\.1 is a private address; ask$"):
        resolve("http://10.21.0.1/", policy=policy)
    with pytest.raises(RefusedDestination, match=r"^192\.168\.1\.8 is a private address; ask$"):
        resolve("http://192.168.1.8/", policy=policy)
    # A host name allowed by name does not open the address it stands for to other names.
    with pytest.raises(RefusedDestination, match=r"^127\.0\.0\.1 is a loopback address; ask$"):
        resolve("http://127.0.0.1/", policy=policy)


def test_a_malformed_allow_list_entry_is_named() -> None:
    with pytest.raises(
        ValueError, match=r"^'10\.0\.0\.0/33' is neither a network \(CIDR\), an IP address nor a host name$"
    ):
        NetworkPolicy.from_entries(["10.0.0.0/33"])
    with pytest.raises(ValueError, match=r"^'bad host!' is neither"):
        NetworkPolicy.from_entries(["bad host!"])


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(monkeypatch) -> None:
    lookups: list[str] = []
    real = socket.getaddrinfo

    def spy(host: Any, *args: Any, **kwargs: Any) -> Any:
        lookups.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    with PartnerServer() as server:
        port = server.url.split(":")[2].split("/")[0]
        url = f"http://localhost:{port}/cxml/"
        if resolve(url, policy=NetworkPolicy.from_entries(["localhost"])).addresses[0] != "127.0.0.1":
            pytest.skip("localhost resolves to ::1 first here; the server listens on 127.0.0.1")
        lookups.clear()
        result = post_cxml(url, b"<cXML/>")
    assert result.status.code == 200
    # The name was resolved once (a second answer could not point the connection elsewhere), and
    # the partner saw the name it was called by.
    assert lookups.count("localhost") == 1
    assert server.received[0].headers["Host"] == f"localhost:{port}"


@pytest.fixture
def strict() -> Iterator[None]:
    """The process's policy is the default one: public addresses only (as a site without allow-list)."""
    previous = netguard.configure(STRICT)
    yield
    netguard.configure(previous)


def test_a_refused_partner_is_never_contacted(strict: None) -> None:
    with PartnerServer() as server:
        with pytest.raises(RefusedDestination, match=r"^127\.0\.0\.1 is a loopback address"):
            post_cxml(server.url, b"<cXML/>", deadline=5)
        with pytest.raises(RefusedDestination, match=r"^127\.0\.0\.1 is a loopback address"):
            post_bod(server.url, b"<x/>", credentials=None, deadline=5)
    assert server.received == []


def test_the_conformance_runner_says_why_it_did_not_request_a_url(strict: None) -> None:
    runner = Runner("http://169.254.169.254/", deadline=5)
    with runner.check("reach", "Reach the endpoint"):
        runner.send("http://169.254.169.254/latest/meta-data/", None, method="GET")
    check = runner.finish().checks[0]
    assert check.outcome is Outcome.FAIL
    assert check.message == (
        "http://169.254.169.254/latest/meta-data/ was not requested: 169.254.169.254 is a link-local "
        f"address; {HINT}."
    )
    assert check.exchanges[0].error == f"169.254.169.254 is a link-local address; {HINT}"


def test_a_url_checked_for_a_form_is_refused_only_for_its_address() -> None:
    assert check_url("http://10.0.0.5/cxml", policy=STRICT) is not None
    assert str(check_url("http://10.0.0.5/cxml", policy=STRICT)) == f"10.0.0.5 is a private address; {HINT}"
    # A name that does not resolve now, or a broken port, is for the delivery to report.
    assert check_url("https://erp.acme.test/cxml", policy=STRICT) is None
    assert check_url("https://93.184.215.14:99999/cxml", policy=STRICT) is None
    assert check_url("https://93.184.215.14/cxml", policy=STRICT) is None
