"""The "E-invoicing platforms" page (buyer suite here; the storefront has the same page): entities
entered by an administrator, their validation, the write-only encrypted client secret, the
environment's setting winning for a SIREN both configure, the periodic pull of an entity entered on
the page, "Test connection" and the audit of each change."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import translation

from openprocure.core import platform
from openprocure.core.choices import AdminEventKind, PlatformFlowOutcome
from openprocure.core.models import AdminEvent, PlatformConnection, PlatformFlow, User
from openprocure.core.platform import hooks
from openprocure.core.platform.credentials import decrypt_client_secret, encrypt_client_secret
from openprocure.core.platform.folder import FolderPlatform
from openprocure.core.platform.forms import PlatformConnectionForm
from openprocure.core.platform.tasks import pull_platforms
from openprocure.core.platform.xp_z12_013 import XPZ12013Platform, forget_tokens
from tests.platform_server import CLIENT_ID, CLIENT_SECRET, XPZ12013Server

pytestmark = pytest.mark.django_db

SIREN = "732829320"
OTHER = "732829304"
CII = b'<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>'


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(email="root@acme.test", password="x"))
    return client


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    out, inbound = tmp_path / "out", tmp_path / "in"
    out.mkdir()
    inbound.mkdir()
    return out, inbound


@pytest.fixture
def server() -> Iterator[XPZ12013Server]:
    forget_tokens()
    with XPZ12013Server() as running:
        yield running
    forget_tokens()


def folder_data(dirs: tuple[Path, Path], **changes: str) -> dict[str, str]:
    return {
        "siren": SIREN,
        "name": "Acme SAS",
        "adapter": "folder",
        "enabled": "on",
        "outbound": str(dirs[0]),
        "inbound": str(dirs[1]),
        **changes,
    }


def xp_data(server: XPZ12013Server, **changes: str) -> dict[str, str]:
    return {
        "siren": SIREN,
        "name": "Acme SAS",
        "adapter": "xp_z12_013",
        "enabled": "on",
        "base_url": server.base_url,
        "token_url": server.token_url,
        "client_id": CLIENT_ID,
        "new_client_secret": CLIENT_SECRET,
        **changes,
    }


def errors(data: dict[str, str], instance: PlatformConnection | None = None) -> dict[str, list[str]]:
    form = PlatformConnectionForm(data, instance=instance)
    assert not form.is_valid()
    return {field: list(messages) for field, messages in form.errors.items()}


# -- validation ----------------------------------------------------------------------------------
def test_a_siren_with_a_wrong_check_digit_is_refused(dirs: tuple[Path, Path]) -> None:
    assert errors(folder_data(dirs, siren="732829321")) == {
        "siren": ["732829321 is not a valid SIREN: 9 digits, the last one a check digit."]
    }
    assert errors(folder_data(dirs, siren="73282932")) == {
        "siren": ["73282932 is not a valid SIREN: 9 digits, the last one a check digit."]
    }


def test_a_siren_with_spaces_is_kept_compact(dirs: tuple[Path, Path]) -> None:
    form = PlatformConnectionForm(folder_data(dirs, siren="732 829 320"))
    assert form.is_valid(), form.errors
    assert form.save().siren == SIREN


def test_the_folder_adapter_needs_two_existing_writable_directories(tmp_path: Path) -> None:
    (tmp_path / "locked").mkdir()
    os.chmod(tmp_path / "locked", 0o500)
    try:
        data = folder_data((tmp_path, tmp_path), outbound="", inbound=str(tmp_path / "missing"))
        assert errors(data) == {
            "outbound": ["The folder exchange needs this directory."],
            "inbound": ["This directory does not exist on the server."],
        }
        data = folder_data((tmp_path, tmp_path), outbound="relative/out", inbound=str(tmp_path / "locked"))
        expected_inbound = (
            [] if os.geteuid() == 0 else ["This site's processes cannot read and write in this directory."]
        )
        assert errors(data) == {
            "outbound": ["Give an absolute path (starting with /)."],
            **({"inbound": expected_inbound} if expected_inbound else {}),
        }
    finally:
        os.chmod(tmp_path / "locked", 0o700)


def test_the_xp_adapter_needs_its_addresses_client_id_and_secret() -> None:
    data = {"siren": SIREN, "name": "Acme SAS", "adapter": "xp_z12_013", "enabled": "on"}
    assert errors(data) == {
        "base_url": ["The XP Z12-013 API needs this address."],
        "token_url": ["The XP Z12-013 API needs this address."],
        "client_id": ["The XP Z12-013 API needs the client ID."],
        "new_client_secret": ["The XP Z12-013 API needs the client secret."],
    }


def test_the_addresses_pass_the_partner_guard_and_plain_http_only_to_this_machine(
    server: XPZ12013Server,
) -> None:
    https = "The address must start with https:// (the credentials travel over it)."
    # Loopback admitted by the allow-list (as in the demo): the local platform over plain http.
    assert PlatformConnectionForm(xp_data(server)).is_valid()
    remote = xp_data(server, base_url="http://pa.example/api", token_url="https://pa.example/token")
    assert errors(remote) == {"base_url": [https]}
    private = xp_data(server, base_url="https://10.0.0.5/api", token_url="https://pa.example/token")
    assert errors(private) == {
        "base_url": [
            "10.0.0.5 is a private address: documents are not sent there. If it is yours, an operator "
            "allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
        ]
    }
    with override_settings(PARTNER_ALLOWED_NETWORKS=[]):  # production: loopback is not a partner
        loopback = "127.0.0.1 is a loopback address: documents are not sent there. If it is yours, an "
        loopback += "operator allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
        assert errors(xp_data(server)) == {"base_url": [loopback], "token_url": [loopback]}
    assert PlatformConnectionForm(
        xp_data(server, base_url="https://pa.example/api", token_url="https://pa.example/token")
    ).is_valid()


def test_a_siren_the_environment_configures_cannot_be_added(dirs: tuple[Path, Path]) -> None:
    with override_settings(
        EINVOICE_PLATFORMS={SIREN: {"adapter": "folder", "outbound": "/x", "inbound": "/y"}}
    ):
        assert errors(folder_data(dirs)) == {
            "siren": [
                f"The platform of SIREN {SIREN} is set by the environment (OPENPROCURE_EINVOICE_PLATFORMS)."
            ]
        }


# -- the page ------------------------------------------------------------------------------------
def test_adding_an_xp_platform_keeps_the_secret_encrypted_and_never_shows_it(
    admin: Client, server: XPZ12013Server
) -> None:
    with override_settings(DEMO_MODE=True):
        added = admin.post("/platforms/add/", xp_data(server))
    assert added.status_code == 302 and added["Location"] == "/platforms/"
    connection = PlatformConnection.objects.get()
    assert (connection.siren, connection.name, connection.adapter, connection.enabled) == (
        SIREN,
        "Acme SAS",
        "xp_z12_013",
        True,
    )
    assert CLIENT_SECRET not in connection.client_secret_encrypted
    assert decrypt_client_secret(connection.client_secret_encrypted) == CLIENT_SECRET
    event = AdminEvent.objects.get()
    assert (event.kind, event.subject_type, event.subject_id, event.actor.email) == (
        AdminEventKind.CREATED,
        "core.platformconnection",
        connection.pk,
        "root@acme.test",
    )
    assert "new_client_secret" in event.detail["fields"]

    page = admin.get(f"/platforms/{connection.pk}/").content.decode()
    assert CLIENT_SECRET not in page and connection.client_secret_encrypted not in page
    assert 'name="new_client_secret"' in page and "leave empty to keep the secret saved" in page
    listed = admin.get("/platforms/").content.decode()
    assert CLIENT_SECRET not in listed and connection.client_secret_encrypted not in listed

    # Saved again with the secret left empty: the secret stays, the change is audited.
    with override_settings(DEMO_MODE=True):
        saved = admin.post(
            f"/platforms/{connection.pk}/", xp_data(server, name="Acme France", new_client_secret="")
        )
    assert saved.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Acme France"
    assert decrypt_client_secret(connection.client_secret_encrypted) == CLIENT_SECRET
    changed = AdminEvent.objects.order_by("pk").last()
    assert changed is not None
    assert (changed.kind, changed.detail) == (AdminEventKind.CHANGED, {"fields": ["name"]})


def test_the_siren_of_a_saved_platform_cannot_change(admin: Client, dirs: tuple[Path, Path]) -> None:
    connection = PlatformConnectionForm(folder_data(dirs)).save()
    assert admin.post(f"/platforms/{connection.pk}/", folder_data(dirs, siren=OTHER)).status_code == 302
    connection.refresh_from_db()
    assert connection.siren == SIREN


def test_a_form_with_errors_says_so_beside_the_field_and_saves_nothing(
    admin: Client, dirs: tuple[Path, Path]
) -> None:
    answer = admin.post("/platforms/add/", folder_data(dirs, siren="123456789"))
    assert answer.status_code == 200
    assert "123456789 is not a valid SIREN" in answer.content.decode()
    assert not PlatformConnection.objects.exists()
    assert not AdminEvent.objects.exists()


def test_the_list_shows_each_entity_and_its_last_flows(admin: Client, dirs: tuple[Path, Path]) -> None:
    PlatformConnectionForm(folder_data(dirs)).save()
    PlatformFlow.objects.create(
        entity=SIREN, flow_id="a.xml", kind="invoice", outcome=PlatformFlowOutcome.ACCEPTED
    )
    PlatformFlow.objects.create(
        entity=SIREN, flow_id="b.xml", kind="status", outcome=PlatformFlowOutcome.REFUSED
    )
    environment = {OTHER: {"adapter": "folder", "outbound": str(dirs[0]), "inbound": str(dirs[1])}}
    with override_settings(EINVOICE_PLATFORMS=environment):
        page = admin.get("/platforms/").content.decode()
    other = page[page.index(f'<tr id="platform-{OTHER}">') :].split("</tr>")[0]
    ours = page[page.index(f'<tr id="platform-{SIREN}">') :].split("</tr>")[0]
    assert "Set by the environment, read-only" in other and "/platforms/" not in other.split("<form")[0]
    assert "Acme SAS" in ours and "Folder exchange" in ours and "Enabled" in ours
    assert '<td class="num">2</td>' in ours and '<td class="num">1</td>' in ours
    assert page.index(OTHER) < page.index(SIREN)  # the environment's first


# -- environment and database --------------------------------------------------------------------
def test_the_environment_wins_for_a_siren_both_configure(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    PlatformConnectionForm(folder_data(dirs)).save()
    third = PlatformConnectionForm(
        folder_data(dirs, siren="552100554", name="Disabled SA", enabled="")
    ).save()
    assert not third.enabled
    assert platform.configured_entities() == [SIREN]
    adapter = platform.platform_for(SIREN)
    assert isinstance(adapter, FolderPlatform) and adapter.outbound == dirs[0]

    env_out, env_in = tmp_path / "env-out", tmp_path / "env-in"
    environment = {
        OTHER: {"adapter": "folder", "outbound": "/o", "inbound": "/i"},
        SIREN: {"adapter": "folder", "outbound": str(env_out), "inbound": str(env_in)},
    }
    with override_settings(EINVOICE_PLATFORMS=environment):
        assert platform.configured_entities() == [OTHER, SIREN]
        adapter = platform.platform_for(SIREN)
        assert isinstance(adapter, FolderPlatform) and adapter.outbound == env_out
        assert not platform.is_configured("552100554")  # disabled


def test_an_xp_platform_entered_on_the_page_gets_its_secret_decrypted(server: XPZ12013Server) -> None:
    with override_settings(DEMO_MODE=True):
        PlatformConnectionForm(xp_data(server)).save()
    adapter = platform.platform_for(SIREN)
    assert isinstance(adapter, XPZ12013Platform)
    assert (adapter.base_url, adapter.client_id, adapter.client_secret) == (
        server.base_url,
        CLIENT_ID,
        CLIENT_SECRET,
    )
    with override_settings(ENCRYPTION_KEY="another key of the installation"):
        with pytest.raises(platform.PlatformNotConfigured) as unreadable:
            platform.platform_for(SIREN)
    assert str(unreadable.value) == (
        f"The client secret of SIREN {SIREN}'s platform cannot be read (the encryption key changed): "
        "enter it again on the E-invoicing platforms page."
    )


def test_the_periodic_pull_reads_a_folder_platform_entered_on_the_page(dirs: tuple[Path, Path]) -> None:
    PlatformConnectionForm(folder_data(dirs)).save()
    (dirs[1] / "INV-7.xml").write_bytes(CII)
    seen: list[tuple[str, str]] = []

    def on_invoice(*, entity: str, flow: Any, journal: Any) -> None:
        seen.append((entity, flow.name))

    saved = list(hooks.invoice_received)
    hooks.invoice_received[:] = [on_invoice]
    try:
        with override_settings(EINVOICE_PLATFORMS={}):
            assert pull_platforms.call() == 1
    finally:
        hooks.invoice_received[:] = saved
    assert seen == [(SIREN, "INV-7.xml")]
    flow = PlatformFlow.objects.get()
    assert (flow.entity, flow.flow_id, flow.outcome) == (SIREN, "INV-7.xml", PlatformFlowOutcome.ACCEPTED)
    assert (dirs[1] / "done" / "INV-7.xml").read_bytes() == CII


# -- test connection -----------------------------------------------------------------------------
def test_testing_a_folder_platform_writes_reads_and_deletes_a_probe(
    admin: Client, dirs: tuple[Path, Path]
) -> None:
    PlatformConnectionForm(folder_data(dirs)).save()
    page = admin.post(f"/platforms/{SIREN}/test/").content.decode()
    assert (
        '<p class="success" id="test-summary" role="status">The connection works: a probe file was written, '
        "read back and deleted in both directories.</p>"
    ) in page
    assert sorted(p.name for p in dirs[0].iterdir()) == [".tmp"]  # nothing the platform would take
    assert list((dirs[0] / ".tmp").iterdir()) == [] and list(dirs[1].iterdir()) == []


def test_testing_a_folder_platform_whose_directory_went_away_fails_with_why(
    admin: Client, dirs: tuple[Path, Path]
) -> None:
    PlatformConnectionForm(folder_data(dirs)).save()
    dirs[1].rmdir()
    page = admin.post(f"/platforms/{SIREN}/test/").content.decode()
    assert '<p class="error" id="test-summary" role="status">The connection failed.</p>' in page
    assert f"cannot write, read and delete a file in {dirs[1]}: No such file or directory" in page


def test_testing_an_xp_platform_fetches_a_token(admin: Client, server: XPZ12013Server) -> None:
    with override_settings(DEMO_MODE=True):
        connection = PlatformConnectionForm(xp_data(server)).save()
    page = admin.post(f"/platforms/{SIREN}/test/").content.decode()
    assert "The connection works: the platform&#x27;s token service granted a token to our client ID." in page
    assert len(server.tokens_issued) == 1 and not server.flows

    connection.client_secret_encrypted = encrypt_client_secret("wrong")
    connection.save()
    page = admin.post(f"/platforms/{SIREN}/test/").content.decode()
    assert "The connection failed." in page
    assert "the platform&#x27;s token service refused our client credentials: HTTP 401" in page
    assert len(server.tokens_issued) == 1


def tested_events() -> list[tuple[str, int | None, str, str, dict[str, Any]]]:
    return [
        (event.subject_type, event.subject_id, event.subject_text, event.actor.email, event.detail)
        for event in AdminEvent.objects.filter(kind=AdminEventKind.TESTED).order_by("id")
    ]


def test_each_test_of_a_connection_is_recorded_with_who_which_and_its_outcome(
    admin: Client, dirs: tuple[Path, Path]
) -> None:
    connection = PlatformConnectionForm(folder_data(dirs)).save()
    admin.post(f"/platforms/{SIREN}/test/")
    dirs[1].rmdir()
    admin.post(f"/platforms/{SIREN}/test/", HTTP_ACCEPT_LANGUAGE="fr")
    failure = f"cannot write, read and delete a file in {dirs[1]}: No such file or directory"
    [works, failed] = tested_events()
    assert works == (
        "core.platformconnection",
        connection.pk,
        "732829320 Acme SAS",
        "root@acme.test",
        {
            "siren": SIREN,
            "adapter": "folder",
            "from_environment": False,
            "outcome": "works",
            "message": "The connection works: a probe file was written, read back and deleted in both directories.",
        },
    )
    assert failed[:4] == works[:4]
    assert failed[4] == {**works[4], "outcome": "failed", "message": failure}
    event = AdminEvent.objects.filter(kind=AdminEventKind.TESTED).first()
    with translation.override("en"):
        assert event is not None and event.label == "Connection tested"
    # The platform's own record is not changed by a test (no "changed" event).
    assert list(AdminEvent.objects.order_by("id").values_list("kind", flat=True)) == ["tested", "tested"]


def test_testing_a_platform_set_by_the_environment_is_recorded_by_its_siren(
    admin: Client, dirs: tuple[Path, Path]
) -> None:
    environment = {SIREN: {"adapter": "folder", "outbound": str(dirs[0]), "inbound": str(dirs[1])}}
    with override_settings(EINVOICE_PLATFORMS=environment):
        admin.post(f"/platforms/{SIREN}/test/")
    assert tested_events() == [
        (
            "core.platformconnection",
            None,
            "732829320 Set by the environment",
            "root@acme.test",
            {
                "siren": SIREN,
                "adapter": "folder",
                "from_environment": True,
                "outcome": "works",
                "message": "The connection works: a probe file was written, read back and deleted in both directories.",
            },
        )
    ]
    assert not PlatformConnection.objects.exists()


def test_the_test_button_answers_only_a_post_and_only_for_a_known_siren(admin: Client) -> None:
    assert admin.get(f"/platforms/{SIREN}/test/").status_code == 405
    assert admin.post(f"/platforms/{SIREN}/test/").status_code == 404
    assert not AdminEvent.objects.exists()


def test_a_platform_set_by_the_environment_cannot_be_edited_on_the_page(
    admin: Client, dirs: tuple[Path, Path]
) -> None:
    connection = PlatformConnectionForm(folder_data(dirs)).save()
    with override_settings(
        EINVOICE_PLATFORMS={SIREN: {"adapter": "folder", "outbound": "/o", "inbound": "/i"}}
    ):
        answer = admin.post(f"/platforms/{connection.pk}/", folder_data(dirs, name="Changed"))
    assert answer.status_code == 403
    assert (
        "The platform of SIREN 732829320 is set by the environment: change it there."
        in answer.content.decode()
    )
    connection.refresh_from_db()
    assert connection.name == "Acme SAS"
