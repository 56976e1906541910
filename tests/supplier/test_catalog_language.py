"""Search people can use: spelling suggestions, accents either way, French titles (both backends).

These run on SQLite (FTS5) and, in the PostgreSQL pass, on PostgreSQL full text.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from openprocure.supplier.catalog import services, spelling, taxonomy, taxonomy_fr
from openprocure.supplier.catalog.generator import generate_catalog
from openprocure.supplier.catalog.models import Product, SearchWord
from tests.supplier.catalog_world import asins, make_catalog

pytestmark = pytest.mark.django_db

STAPLER_FR = "Agrafeuse de bureau Swingline, capacité 20 feuilles"
STAPLER_EN = "Swingline Desktop Stapler, 20 Sheet Capacity"


def row(asin: str, title: str, seller_id: int, **more: object) -> services.ProductRow:
    values: dict[str, object] = {
        "asin": asin,
        "title": title,
        "brand": "",
        "manufacturer": "",
        "manufacturer_part_number": "",
        "description": "",
        "unspsc": "50201706",
        "unit_of_measure": "PK",
        "list_price": Decimal("4.99"),
        "business_price": Decimal("4.50"),
        "currency": "EUR",
        "seller_id": seller_id,
        "fulfilled_by_us": True,
        "stock": 10,
        "delivery_days": 1,
        **more,
    }
    return services.ProductRow(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def default_language_afterwards():  # type: ignore[no-untyped-def]
    """A request in French leaves French active in this thread: back to the default after each test."""
    yield
    translation.deactivate()


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    """The hand-made catalog, its stapler with a French title, and two coffees spelt with and without accent."""
    sellers = make_catalog()
    stapler = Product.objects.get(asin="B000000004")
    services.update_products(
        rows=[
            row(
                "B000000004",
                STAPLER_EN,
                sellers["acme"],
                brand="Swingline",
                manufacturer="Swingline",
                manufacturer_part_number="MPN-004",
                description="Staples 20 sheets.",
                description_fr="Agrafe 20 feuilles.",
                unspsc="44121615",
                list_price=stapler.list_price,
                business_price=stapler.business_price,
                fulfilled_by_us=True,
                stock=15,
                delivery_days=2,
                tiers=[(5, Decimal("21.00"))],
                title_fr=STAPLER_FR,
            )
        ]
    )
    services.insert_products(
        rows=[
            row("B000000009", "Nescafé Café Crème Instant Coffee", sellers["market"], brand="Nescafé"),
            row("B000000010", "Cafe Noir Espresso Pods", sellers["market"], brand="Cafe Noir"),
        ]
    )
    services.rebuild_suggestions()
    return sellers


# --- spelling suggestions -----------------------------------------------------------------------


def test_a_misspelt_word_that_finds_nothing_gets_a_link_to_the_right_spelling(
    client: Client, catalog
) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "staplr"})
    assert asins(response) == []
    suggestion = response.context["spelling"]
    assert (suggestion.text, suggestion.url, suggestion.total) == ("stapler", "/search/?q=stapler", 1)
    html = response.content.decode()
    assert '<p class="did-you-mean">Did you mean: <a href="/search/?q=stapler">stapler</a>?</p>' in html
    assert asins(client.get(suggestion.url)) == ["B000000004"]


def test_only_the_misspelt_words_change_and_filters_are_kept(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "swingline staplr", "ful": "us"})
    suggestion = response.context["spelling"]
    assert (suggestion.text, suggestion.url) == ("swingline stapler", "/search/?ful=us&q=swingline+stapler")
    response = client.get("/search/", {"q": "copy papr"})
    assert response.context["spelling"].text == "copy paper"
    assert response.context["spelling"].total == 2


def test_french_and_accented_words_are_corrected_too(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "agrafeuze"})
    assert asins(response) == []
    assert response.context["spelling"].text == "agrafeuse"
    # "café" and "cafe" are one word once folded (one product each: the first alphabetically is shown).
    assert client.get("/search/", {"q": "caffe"}).context["spelling"].text == "cafe"


@pytest.mark.parametrize(
    ("params", "why"),
    [
        pytest.param({"q": "stapler"}, "the words are the catalog's", id="known-word"),
        pytest.param({"q": "xylophone"}, "no catalog word is close", id="nothing-close"),
        pytest.param({"q": "pens"}, "enough results", id="enough-results"),
        pytest.param({"q": "staplr", "brand": "BIC"}, "the right spelling finds no more", id="no-better"),
        pytest.param({"q": ""}, "no words", id="empty"),
    ],
)
def test_no_suggestion(client: Client, catalog, params: dict[str, str], why: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert response.context["spelling"] is None, why
    assert "did-you-mean" not in response.content.decode()


def test_the_vocabulary_holds_title_brand_and_french_words_with_product_counts(catalog) -> None:  # type: ignore[no-untyped-def]
    words = dict(SearchWord.objects.values_list("word", "products"))
    assert words["paper"] == 4  # two "Paper Mate" pens, two copy papers
    assert words["stapler"] == 1
    assert words["agrafeuse"] == 1
    assert words["feuilles"] == 1
    assert words["café"] == 1  # Nescafé Café Crème
    assert words["cafe"] == 1  # Cafe Noir (title and brand: counted once)
    assert "mm" not in words and "20" not in words  # fewer than 3 letters, digits


def test_fold_and_correct_word() -> None:
    assert spelling.fold("Café CRÈME Œuvre") == "cafe creme œuvre"
    vocabulary = spelling.Vocabulary()
    vocabulary.words = {"stapler": ("stapler", 5), "staples": ("staples", 9), "paper": ("paper", 3)}
    vocabulary.by_length = {7: ["stapler", "staples"], 5: ["paper"]}
    assert vocabulary.correct_word("staplr") == "stapler"
    assert vocabulary.correct_word("Stapels") == "staples"
    assert vocabulary.correct_word("stapler") is None
    assert vocabulary.correct_word("pa") is None
    assert vocabulary.correct_word("papr4") is None  # digits: a code, kept as typed
    assert vocabulary.correct("Swingline staplr, papr") == "Swingline stapler paper"
    assert vocabulary.correct("paper") is None


# --- accents and French titles -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("agrafeuse", ["B000000004"], id="french-word"),
        pytest.param("AGRAFEUSES", ["B000000004"], id="french-plural-upper-case"),
        pytest.param("capacité", ["B000000004"], id="french-accented"),
        pytest.param("capacite", ["B000000004"], id="french-without-accent"),
        pytest.param("café", ["B000000009", "B000000010"], id="accented-finds-both"),
        pytest.param("cafe", ["B000000009", "B000000010"], id="plain-finds-both"),
        pytest.param("nescafe", ["B000000009"], id="accent-inside-a-word"),
        pytest.param("crème", ["B000000009"], id="accented-word"),
        pytest.param("stapler", ["B000000004"], id="english-still-found"),
    ],
)
def test_french_words_and_accents_either_way(client: Client, catalog, text: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": text})
    assert sorted(asins(response)) == expected
    assert response.context["result"].total == len(expected)


def test_the_title_is_shown_in_the_readers_language(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    english = client.get("/search/", {"q": "agrafeuse"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f">{STAPLER_EN}</a></h3>" in english
    assert STAPLER_FR not in english
    french = client.get("/search/", {"q": "agrafeuse"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f">{STAPLER_FR}</a></h3>" in french
    assert STAPLER_EN not in french
    # No French title: the English one, whatever the language.
    french = client.get("/search/", {"q": "copy paper"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Hammermill Copy Paper, Letter, 5000 Sheets</a></h3>" in french


def test_the_product_page_speaks_the_readers_language(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    client.cookies["openprocure_supplier_language"] = "fr"
    html = client.get("/product/B000000004/").content.decode()
    assert f"<h1>{STAPLER_FR}</h1>" in html
    assert f"<title>{STAPLER_FR} · " in html
    assert "<p>Agrafe 20 feuilles.</p>" in html
    client.cookies["openprocure_supplier_language"] = "en"
    html = client.get("/product/B000000004/").content.decode()
    assert f"<h1>{STAPLER_EN}</h1>" in html
    assert "<p>Staples 20 sheets.</p>" in html


def test_french_spelling_suggestion_page_is_translated(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search/", {"q": "staplr"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        '<p class="did-you-mean">Vouliez-vous dire : <a href="/search/?q=stapler">stapler</a> ?</p>' in html
    )


def test_filters_fold_behind_a_button(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search/", {"q": "pens"}).content.decode()
    assert (
        '<button type="button" class="fold-toggle" aria-controls="catalog-facets" aria-expanded="false">'
        "Filters</button>"
    ) in html
    assert '<div id="catalog-facets" class="foldable">' in html
    # Nothing to filter: no button.
    html = client.get("/search/", {"q": "xylophone"}).content.decode()
    assert "fold-toggle" not in html


# --- the generated (demo) catalog -------------------------------------------------------------


def test_the_generated_catalog_is_searchable_in_french(client: Client, db) -> None:  # type: ignore[no-untyped-def]
    generate_catalog(products=60)
    first = Product.objects.get(sales_rank=1)
    assert first.title == "Reisser Plus Self Tapping Screws, M6, Stainless Steel A2, 500 Count"
    assert first.title_fr == "Vis autotaraudeuses Reisser Plus, M6, acier inoxydable A2, lot de 500"
    assert first.description_fr.startswith(
        "Vis autotaraudeuses Reisser Plus : M6, acier inoxydable A2, lot de 500. "
    )

    staplers = set(Product.objects.filter(unspsc="44121615").values_list("asin", flat=True))
    papers = set(Product.objects.filter(unspsc__in=["14111507", "14111704"]).values_list("asin", flat=True))
    assert staplers and papers
    response = client.get("/search/", {"q": "agrafeuse"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert set(asins(response)) == staplers
    assert all(
        item.product.title_fr.startswith(("Agrafeuse", "Pince")) for item in response.context["results"]
    )
    response = client.get("/search/", {"q": "papier"})
    assert set(asins(response)) == papers
    response = client.get("/search/", {"q": "staplr"})
    assert response.context["spelling"].text == "staplers"


def test_every_part_of_a_generated_title_has_a_french_word() -> None:
    kinds = {kind for commodity in taxonomy.COMMODITIES for kind in commodity.kinds}
    details = {
        detail for commodity in taxonomy.COMMODITIES for choices in commodity.details for detail in choices
    }
    assert kinds == set(taxonomy_fr.KINDS)
    assert details == set(taxonomy_fr.DETAILS) | taxonomy_fr.SAME_IN_FRENCH
    assert not set(taxonomy_fr.DETAILS) & taxonomy_fr.SAME_IN_FRENCH
    assert taxonomy_fr.pack(1000) == ", lot de 1\u202f000"


# --- PostgreSQL only ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the PostgreSQL full-text backend")
def test_postgres_folds_accents_with_unaccent(catalog) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('openprocure_english', 'Agrafeuses Café Crème')::text")
        assert cursor.fetchone()[0] == "'agrafeus':1 'cafe':2 'creme':3"
        cursor.execute("SELECT to_tsquery('openprocure_simple', %s)::text", ["'capacité':*"])
        assert cursor.fetchone()[0] == "'capacite':*"
