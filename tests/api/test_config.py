"""Settings come from defaults, then CONTENT_API_* variables, then explicit overrides."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from api.config import Settings, documented_defaults, documented_settings, from_env


def test_env_overrides_defaults():
    s = from_env({"CONTENT_API_MAX_DEPTH": "7", "CONTENT_API_PRODUCTION": "true",
                  "CONTENT_API_CORS_ORIGINS": "https://a.example, https://b.example",
                  "CONTENT_API_MAX_EXECUTION_SECONDS": "2.5", "CONTENT_API_DB_PATH": "x/y.db"})
    assert s.max_depth == 7 and s.production is True
    assert s.cors_origins == ("https://a.example", "https://b.example")
    assert s.max_execution_seconds == 2.5 and s.db_path == Path("x/y.db")
    assert s.max_aliases == Settings().max_aliases


def test_overrides_win_over_env():
    s = from_env({"CONTENT_API_MAX_DEPTH": "7"}, max_depth=9, port=None)
    assert s.max_depth == 9


def test_empty_cors_means_same_origin_only():
    assert from_env({"CONTENT_API_CORS_ORIGINS": ""}).cors_origins == ()


def test_documented_defaults_cover_the_limits():
    names = dict(documented_defaults())
    for name in ("MAX_DEPTH", "MAX_ALIASES", "MAX_TOKENS", "MAX_BODY_BYTES", "MAX_EXECUTION_SECONDS",
                 "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "CACHE_CONTROL", "CORS_ORIGINS", "PRODUCTION"):
        assert "CONTENT_API_" + name in names
    assert "CONTENT_API_TEST_EXECUTION_DELAY" not in names


def test_uvicorn_variables_are_honoured_and_ours_win():
    s = from_env({"UVICORN_LIMIT_CONCURRENCY": "77", "UVICORN_TIMEOUT_KEEP_ALIVE": "3",
                  "UVICORN_BACKLOG": "64", "UVICORN_H11_MAX_INCOMPLETE_EVENT_SIZE": "8192"})
    assert (s.limit_concurrency, s.keep_alive_seconds, s.backlog, s.max_head_bytes) == (
        77, 3.0, 64, 8192)
    s = from_env({"UVICORN_BACKLOG": "64", "CONTENT_API_BACKLOG": "128"})
    assert s.backlog == 128


def test_every_public_setting_documents_itself():
    """The settings reference (tests/docs checks the built page) is generated from these."""
    for setting in documented_settings():
        assert len(setting.doc) > 15 and setting.doc.endswith("."), setting.variable
        assert setting.section, setting.variable
    internal = {f.name for f in dataclasses.fields(Settings) if f.metadata["internal"]}
    assert internal == {"test_execution_delay", "document_cache_size"}


def test_an_undocumented_setting_is_refused(monkeypatch):
    from api import config

    @dataclasses.dataclass(frozen=True)
    class WithAPlainField(Settings):
        new_limit: int = 5

    monkeypatch.setattr(config, "Settings", WithAPlainField)
    with pytest.raises(TypeError, match="new_limit"):
        config.documented_settings()


@pytest.mark.parametrize("variable, value, message", [
    ("CONTENT_API_BODY_TIMEOUT_SECONDS", "0", "CONTENT_API_BODY_TIMEOUT_SECONDS must be above 0"),
    ("CONTENT_API_MAX_EXECUTION_SECONDS", "-1", "must be above 0"),
    ("CONTENT_API_MAX_DEPTH", "0", "CONTENT_API_MAX_DEPTH must be at least 1 (got 0)"),
    ("CONTENT_API_RESPONSE_CACHE_SIZE", "-5", "must be at least 0"),
    ("UVICORN_BACKLOG", "0", "CONTENT_API_BACKLOG (or UVICORN_BACKLOG) must be at least 1"),
    ("CONTENT_API_MAX_DEPTH", "ten", "CONTENT_API_MAX_DEPTH: 'ten' is not a whole number"),
    ("CONTENT_API_HEAD_TIMEOUT_SECONDS", "soon", "'soon' is not a number"),
    ("CONTENT_API_DEFAULT_PAGE_SIZE", "101", "must not be above CONTENT_API_MAX_PAGE_SIZE"),
])
def test_a_value_out_of_range_or_unparsable_is_refused_by_name(variable, value, message):
    with pytest.raises(ValueError) as error:
        from_env({variable: value})
    assert message in str(error.value)


@pytest.mark.parametrize("variable, value", [
    ("CONTENT_API_MAX_IN_FLIGHT", "0"), ("CONTENT_API_RESPONSE_CACHE_SIZE", "0"),
    ("CONTENT_API_GC_YOUNG_THRESHOLD", "0"), ("CONTENT_API_MAX_ALIASES", "0"),
    ("CONTENT_API_RELOAD_CHECK_SECONDS", "-1"), ("CONTENT_API_MAX_EXECUTION_SECONDS", "0.01"),
])
def test_the_values_that_mean_something_at_their_bound_are_accepted(variable, value):
    # 0: no limit, off, Python's own, no aliases; a negative reload check: never.
    from_env({variable: value})


def test_every_number_has_a_range():
    """A number a setting holds says what is too little, or why anything goes."""
    unbounded = {f.name for f in dataclasses.fields(Settings)
                 if isinstance(f.default, (int, float)) and not isinstance(f.default, bool)
                 and f.metadata["least"] is None and f.metadata["above"] is None}
    assert unbounded == {"reload_check_seconds"}  # negative: never checked (api.store)
