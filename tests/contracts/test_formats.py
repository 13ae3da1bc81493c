"""``uuid`` and ``date-time``: every string the contract accepts, the official client reads."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llama_cloud.types.extraction import ExtractRun as ClientExtractRun

import contracts
from contracts._formats import DATETIME_PATTERN, UUID_PATTERN

from .payloads import valid_run


@pytest.fixture(scope="module", autouse=True)
def _built() -> None:
    ClientExtractRun.model_rebuild()


def _client_reads(created_at: str) -> bool:
    try:
        ClientExtractRun.model_validate({**valid_run(), "created_at": created_at})
    except ValueError:  # pydantic.ValidationError
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "0000-01-01T00:00:00Z",  # datetime has no year 0
        "2025-06-30T23:59:60Z",  # a leap second: the client refuses it
        "\u0662\u0660\u0662\u0665-01-01T00:00:00Z",  # Arabic-Indic digits match \d
        "\uff12\uff10\uff12\uff15-01-01T00:00:00Z",  # full-width digits too
        "2025-01-01T\u0661\u0662:00:00Z",
        "2025-01-01T12:00:00+\u0660\u0661:00",
    ],
)
def test_what_the_client_refuses_the_contract_refuses(text: str) -> None:
    assert not _client_reads(text)
    assert not contracts.is_datetime(text)
    run = {**valid_run(), "created_at": text}
    assert [v.path for v in contracts.validate(run, "run")] == ["$.created_at"]
    with pytest.raises(ValueError, match="created_at"):
        contracts.ExtractRun.model_validate(run)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
        "2024-02-29 12:00:00",
        "2025-01-01t00:00:00.5+01:00",
        "2025-01-01T00:00:00-0130",
    ],
)
def test_edges_both_accept(text: str) -> None:
    assert _client_reads(text)
    assert contracts.is_datetime(text)


@st.composite
def _date_times(draw: st.DrawFn) -> str:
    """Strings shaped like date-times, with every field drawn over and around its range."""

    def number(low: int, high: int, width: int) -> str:
        return f"{draw(st.integers(low, high)):0{width}d}"

    year = number(0, 9999, 4)
    month, day = number(0, 13, 2), number(0, 32, 2)
    hour, minute, second = number(0, 25, 2), number(0, 61, 2), number(0, 61, 2)
    fraction = draw(st.sampled_from(["", ".5", ".123456", ".123456789", ".1234567890"]))
    offset = draw(
        st.sampled_from(["", "Z", "z", "+00:00", "-23:59", "+24:00", "+0100", "+01:60", "-1:00"])
    )
    separator = draw(st.sampled_from("Tt x"))
    return f"{year}-{month}-{day}{separator}{hour}:{minute}:{second}{fraction}{offset}"


@settings(max_examples=500, deadline=None)
@given(_date_times())
def test_every_date_time_the_contract_accepts_the_client_reads(text: str) -> None:
    if contracts.is_datetime(text):
        assert _client_reads(text), text


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 18),
    st.characters(categories=["Nd"]).filter(lambda c: not "0" <= c <= "9"),
)
def test_a_non_ascii_digit_anywhere_is_refused(position: int, digit: str) -> None:
    good = "2025-01-31T12:34:56Z"
    places = [i for i, c in enumerate(good) if c.isdigit()]
    at = places[position % len(places)]
    text = good[:at] + digit + good[at + 1 :]
    assert not contracts.is_datetime(text)
    assert not _client_reads(text)
    uuid = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert not contracts.is_uuid(uuid[:at] + digit + uuid[at + 1 :])


def test_uuid_is_ascii_hexadecimal_only() -> None:
    assert contracts.is_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert contracts.is_uuid("3FA85F64-5717-4562-B3FC-2C963F66AFA6")
    assert not contracts.is_uuid("\uff13fa85f64-5717-4562-b3fc-2c963f66afa6"[:36])
    assert not contracts.is_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa\u0666")
    assert not contracts.is_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa6\n")


@settings(max_examples=500, deadline=None)
@given(_date_times())
def test_datetime_instant_reads_what_is_datetime_accepts_as_the_client_does(text: str) -> None:
    instant = contracts.datetime_instant(text)
    assert (instant is not None) == contracts.is_datetime(text)
    if instant is None:
        return
    # the client's own reading of the same text, as an instant (a naive time taken as UTC)
    moment = ClientExtractRun.model_validate({**valid_run(), "created_at": text}).created_at
    assert moment is not None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds, nanos = instant
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert moment - epoch == timedelta(seconds=seconds, microseconds=nanos // 1000)


def test_datetime_instant_refuses_what_is_not_a_contract_date_time() -> None:
    for value in (None, 0, "", "yesterday", "0000-01-01T00:00:00Z", "2025-06-30T23:59:60Z"):
        assert contracts.datetime_instant(value) is None
    assert contracts.datetime_instant("2025-01-01T00:00:00.123456789Z") == (1735689600, 123456789)


# -- the patterns the compiled validator checks formats with: equal to the functions ------------


def _rust_matches(pattern: str, text: str) -> bool:
    import jsonschema_rs

    return bool(jsonschema_rs.Draft202012Validator({"pattern": pattern}).is_valid(text))


@settings(max_examples=1000, deadline=None)
@given(st.one_of(_date_times(), st.text(max_size=40), _date_times().map(lambda t: t + "\n")))
def test_the_date_time_pattern_is_is_datetime(text: str) -> None:
    expected = contracts.is_datetime(text)
    assert _rust_matches(DATETIME_PATTERN, text) == expected, text


@pytest.mark.parametrize("year", [0, 1, 4, 100, 200, 400, 1900, 2000, 2023, 2024, 2100, 9996])
def test_the_date_time_pattern_knows_leap_years(year: int) -> None:
    for day in ("2025-02-28", f"{year:04d}-02-29", f"{year:04d}-02-30", f"{year:04d}-04-31"):
        text = f"{day}T00:00:00Z".replace("2025", f"{year:04d}")
        assert _rust_matches(DATETIME_PATTERN, text) == contracts.is_datetime(text), text


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.uuids().map(str),
        st.uuids().map(lambda u: str(u).upper()),
        st.text(alphabet="0123456789abcdefABCDEFg-\n{}", min_size=30, max_size=40),
        st.uuids().map(lambda u: str(u) + "\n"),
    )
)
def test_the_uuid_pattern_is_is_uuid(text: str) -> None:
    assert _rust_matches(UUID_PATTERN, text) == contracts.is_uuid(text), text
