"""The write policy and the limits of a run, decided from what the user wrote, nothing else."""

from __future__ import annotations

import math

import pytest

from contracts.conformance import InvalidOption, Limits, is_loopback_as_written, write_policy
from contracts.conformance._policy import SAFE_METHODS

RUN = "3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70"
OTHER = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost:8000", True),
        ("http://LOCALHOST.:8000/api", True),
        ("http://127.0.0.1:8000", True),
        ("http://127.255.3.4", True),
        ("http://[::1]:8000", True),
        ("https://api.cloud.llamaindex.ai", False),
        ("http://localhost.example.com", False),  # a name that might resolve anywhere
        ("http://127.0.0.1.nip.io", False),  # resolves to 127.0.0.1, but is not written so
        ("http://0.0.0.0:8000", False),
        ("http://[::ffff:127.0.0.1]", False),
        ("http://10.0.0.1", False),
    ],
)
def test_loopback_is_decided_from_the_host_as_written(url, loopback):
    assert is_loopback_as_written(url) is loopback


def test_the_default_policy_follows_the_host():
    remote = write_policy("https://staging.example.com")
    assert remote.mode == "read-only"
    assert not remote.writes
    assert not remote.allows("DELETE", f"/api/v1/extraction/runs/{RUN}")
    assert "staging.example.com is not loopback as written" in remote.banner()
    assert "--allow-writes or --allow-delete RUN_ID" in remote.banner()
    local = write_policy("http://127.0.0.1:8000")
    assert local.writes
    assert local.allows("DELETE", f"/api/v1/extraction/runs/{RUN}")
    assert local.banner().startswith("writes allowed: 127.0.0.1 is loopback")


@pytest.mark.parametrize("method", sorted(SAFE_METHODS))
def test_a_read_only_run_sends_every_safe_method_and_no_unsafe_one(method):
    policy = write_policy("https://staging.example.com")
    assert policy.allows(method, "/anything")
    for unsafe in ("DELETE", "POST", "PUT", "PATCH"):
        assert not policy.allows(unsafe, "/api/v1/extraction/runs")


def test_the_flags_override_the_host():
    assert write_policy("http://localhost", read_only=True).mode == "read-only"
    assert write_policy("http://localhost", read_only=True).reason == "--read-only"
    assert write_policy("https://staging.example.com", allow_writes=True).writes


def test_allow_delete_lets_a_run_delete_exactly_the_named_runs():
    policy = write_policy("https://staging.example.com", allow_delete=[RUN.upper()])
    assert policy.mode == "read-only, named deletes"
    assert policy.allows("DELETE", f"/api/v1/extraction/runs/{RUN}")
    assert policy.allows("DELETE", f"/api/v1/extraction/runs/{RUN.upper()}")
    assert not policy.allows("DELETE", f"/api/v1/extraction/runs/{RUN}/")
    assert not policy.allows("DELETE", f"/api/v1/extraction/runs/{OTHER}")
    assert not policy.allows("DELETE", f"/api/v1/extraction/runs/by-job/{RUN}")
    assert not policy.allows("POST", f"/api/v1/extraction/runs/{RUN}")
    assert "DELETE of 1 named run" in policy.banner()
    # on loopback too: the user named what may go
    assert not write_policy("http://127.0.0.1", allow_delete=[RUN]).writes


@pytest.mark.parametrize(
    ("options", "option", "expected", "other"),
    [
        ({"allow_delete": ["run-1"]}, "allow_delete", "a run id (a UUID)", None),
        ({"read_only": True, "allow_writes": True}, "allow_writes", "not both", "read_only"),
        (
            {"allow_writes": True, "allow_delete": [RUN]},
            "allow_delete",
            "no run ids when",
            "allow_writes",
        ),
    ],
)
def test_contradictions_and_bad_ids_name_the_option(options, option, expected, other):
    with pytest.raises(InvalidOption) as info:
        write_policy("http://localhost", **options)
    assert info.value.option == option
    assert expected in info.value.expected
    assert info.value.conflicts_with == other  # a front end names both flags


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": math.inf}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"rate": 0}, "rate"),
        ({"rate": math.nan}, "rate"),
        ({"max_wait": -0.5}, "max_wait"),
        ({"max_wait": math.inf}, "max_wait"),
        ({"max_requests": 0}, "max_requests"),
        ({"max_requests": 2.5}, "max_requests"),
        ({"max_body": True}, "max_body"),
    ],
)
def test_limits_refuse_values_a_run_cannot_use(options, option):
    with pytest.raises(InvalidOption) as info:
        Limits(**options)
    assert info.value.option == option


def test_limits_take_the_values_a_run_can_use():
    limits = Limits(timeout=0.5, rate=2.5, max_wait=0, max_requests=1)
    assert (limits.timeout, limits.rate, limits.max_wait, limits.max_requests) == (0.5, 2.5, 0, 1)
    assert Limits().max_body == 10 * 1024 * 1024
