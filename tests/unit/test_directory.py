"""The payer directory in TOML and the adapter registry."""

from __future__ import annotations

import pytest

from adapters.directory import DirectoryError, PayerDirectory, PayerSettings, load_directory
from adapters.http.adapters import ClearinghouseJsonAdapter
from adapters.mock import MockAdapter
from adapters.registry import UnknownAdapter, available, build

TOML = """
[[payers]]
id = "ACME"
name = "Acme Health"
aliases = ["ACME HEALTH PLAN"]
adapter = "clearinghouse-json"
base_url = "http://127.0.0.1:9100"
api_key_env = "CLEARINGHOUSE_API_KEY"
trading_partner_id = "60054"
service_types = ["30", "MH", "AI", "CH", "CJ"]
rate_limit_per_second = 50
fan_out = "adaptive"
"""


def test_directory_reads_every_documented_key(tmp_path) -> None:
    path = tmp_path / "payers.toml"
    path.write_text(TOML)
    directory = load_directory(str(path))
    payer = directory.get("acme health plan")
    assert payer is not None
    assert payer.id == "ACME"
    assert payer.service_types == ("30", "MH", "AI", "CH", "CJ")
    assert payer.rate_limit_per_second == 50
    assert payer.fan_out == "adaptive"
    assert [p.id for p in directory.search("acme")] == ["ACME"]


def test_a_payer_without_fan_out_asks_every_service_type() -> None:
    assert load_directory(None).payers[0].fan_out == "all"


def test_bundled_directory_holds_the_mock_payer() -> None:
    directory = load_directory(None)
    assert directory.get("MOCK") is not None
    assert isinstance(build(directory.payers[0], available()), MockAdapter)


def test_registry_builds_http_adapters_and_refuses_unknown_names(tmp_path) -> None:
    path = tmp_path / "payers.toml"
    path.write_text(TOML + '\n[[payers]]\nid = "X"\nname = "X"\nadapter = "carrier-pigeon"\n')
    directory = load_directory(str(path))
    assert isinstance(build(directory.payers[0], available()), ClearinghouseJsonAdapter)
    with pytest.raises(UnknownAdapter, match="carrier-pigeon"):
        build(directory.payers[1], available())


@pytest.mark.parametrize(
    ("text", "reason"),
    [("[[payers]]\nname = 1\n", "needs an id and a name"), ("not toml = = =", "not valid TOML")],
)
def test_a_malformed_directory_is_refused_clearly(tmp_path, text: str, reason: str) -> None:
    path = tmp_path / "payers.toml"
    path.write_text(text)
    with pytest.raises(DirectoryError, match=reason):
        load_directory(str(path))


def test_search_ranks_an_exact_id_first_then_names_that_start_with_the_text() -> None:
    directory = PayerDirectory(
        [
            PayerSettings(id="X1", name="Best Aetna Partners"),  # holds "aetna"
            PayerSettings(id="X2", name="Aetna Better Health"),  # starts with it
            PayerSettings(id="60054", name="Plan A", aliases=("AETNA",)),  # an alias is it
        ]
    )
    assert [p.id for p in directory.search("aetna")] == ["60054", "X2", "X1"]
    assert [p.id for p in directory.search("AETNA", limit=1)] == ["60054"]
    assert [p.id for p in directory.search("60054")] == ["60054"]
    assert directory.search("dental") == []
