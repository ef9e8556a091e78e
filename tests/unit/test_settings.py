"""Settings from flags, environment, TOML profiles and defaults."""

from __future__ import annotations

import io
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from tflog_tui.grafana import explore_url
from tflog_tui.settings import AppSettings, SettingsError, load_settings, resolve_time

NOW = 1_700_000_000_000_000_000
SECOND = 1_000_000_000


def load(
    argv: list[str], environ: dict[str, str] | None = None, config: Path | None = None
) -> AppSettings:
    """Load settings with an explicit environment and, optionally, a config file."""
    env = dict(environ or {})
    if config is not None:
        env["TFLOG_CONFIG"] = str(config)
    return load_settings(argv, env, io.StringIO())


@pytest.fixture(autouse=True)
def private_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the user config directory at an empty temporary one."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write_config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_defaults() -> None:
    settings = load([])

    assert settings.addr_configured is False
    assert settings.loki.addr == "http://127.0.0.1:3100"
    assert settings.time_from == "now-1h"
    assert settings.time_to == "now"
    assert settings.limit == 5000
    assert settings.tail is False
    assert settings.query is None


def test_logcli_environment() -> None:
    environ = {
        "LOKI_ADDR": "https://loki.example:3100",
        "LOKI_USERNAME": "ops",
        "LOKI_PASSWORD": "pw",
        "LOKI_BEARER_TOKEN_FILE": "/run/token",
        "LOKI_ORG_ID": "tenant",
        "LOKI_CA_CERT_PATH": "/ca.pem",
        "LOKI_CLIENT_CERT_PATH": "/cert.pem",
        "LOKI_CLIENT_KEY_PATH": "/key.pem",
        "LOKI_TLS_SKIP_VERIFY": "true",
        "LOKI_HTTP_PROXY_URL": "http://proxy:3128",
        "TFLOG_GRAFANA_URL": "https://grafana.example",
        "TFLOG_GRAFANA_DATASOURCE_UID": "loki-uid",
        "TFLOG_GRAFANA_ORG_ID": "3",
    }

    settings = load([], environ)
    loki = settings.loki

    assert settings.addr_configured is True
    assert loki.addr == "https://loki.example:3100"
    assert (loki.username, loki.password, loki.org_id) == ("ops", "pw", "tenant")
    assert loki.bearer_token_file == "/run/token"
    assert (loki.ca_cert, loki.client_cert, loki.client_key) == ("/ca.pem", "/cert.pem", "/key.pem")
    assert loki.tls_skip_verify is True
    assert loki.proxy_url == "http://proxy:3128"
    assert settings.grafana.url == "https://grafana.example"
    assert settings.grafana.datasource_uid == "loki-uid"
    assert settings.grafana.org_id == 3


def test_flags_over_environment_over_profile(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        """
default_profile = "prod"

[profiles.prod]
addr = "http://profile:3100"
org_id = "from-profile"
username = "profile-user"
limit = 100
headers = { "X-Team" = "payments" }

[profiles.stage]
addr = "http://stage:3100"
""",
    )
    environ = {"LOKI_ADDR": "http://env:3100", "LOKI_ORG_ID": "from-env"}

    from_profile = load([], {}, config)
    from_env = load([], environ, config)
    from_flags = load(["--addr", "http://flag:3100"], environ, config)
    other_profile = load(["--profile", "stage"], {}, config)

    assert from_profile.loki.addr == "http://profile:3100"
    assert from_profile.loki.username == "profile-user"
    assert from_profile.limit == 100
    assert from_profile.loki.headers == {"X-Team": "payments"}
    assert from_profile.profile == "prod"
    assert from_env.loki.addr == "http://env:3100"
    assert from_env.loki.org_id == "from-env"
    assert from_env.loki.username == "profile-user"
    assert from_flags.loki.addr == "http://flag:3100"
    assert from_flags.loki.org_id == "from-env"
    assert other_profile.loki.addr == "http://stage:3100"
    assert other_profile.loki.username is None


def test_config_flag_and_variable(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[profiles.x]\naddr = "http://x:3100"\n')

    by_flag = load_settings(["--config", str(config), "--profile", "x"], {}, io.StringIO())
    by_variable = load_settings(
        [], {"TFLOG_CONFIG": str(config), "TFLOG_PROFILE": "x"}, io.StringIO()
    )

    assert by_flag.loki.addr == "http://x:3100"
    assert by_variable.loki.addr == "http://x:3100"


def test_unknown_profile_lists_known(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[profiles.prod]\naddr = "http://p:3100"\n')

    with pytest.raises(SettingsError, match=r"profile 'dev' not found .*profiles: prod"):
        load(["--profile", "dev"], {}, config)


def test_invalid_profile_key(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[profiles.prod]\nadress = "http://p:3100"\n')

    with pytest.raises(SettingsError, match="unknown key 'adress'"):
        load(["--profile", "prod"], {}, config)


def test_missing_explicit_config() -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(["--config", "/nonexistent/x.toml"], {}, io.StringIO())


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_readable_secret_file_warns(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, '[profiles.p]\naddr = "http://p:3100"\npassword = "hunter2"\n', mode=0o644
    )
    stderr = io.StringIO()

    settings = load_settings(["--config", str(config), "--profile", "p"], {}, stderr)

    assert len(settings.warnings) == 1
    assert "readable by group or others" in stderr.getvalue()
    assert "chmod 600" in stderr.getvalue()
    assert "readable by group or others" in settings.warnings[0]
    assert "hunter2" not in stderr.getvalue()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_private_secret_file_quiet(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[profiles.p]\npassword = "hunter2"\n', mode=0o600)
    token = tmp_path / "token"
    token.write_text("t")
    token.chmod(0o640)
    stderr = io.StringIO()

    settings = load_settings(
        ["--config", str(config), "--profile", "p", "--bearer-token-file", str(token)], {}, stderr
    )

    assert len(settings.warnings) == 1
    assert str(token) in settings.warnings[0]


def test_headers_flag() -> None:
    settings = load(["--header", "X-A: 1", "--header", "X-B:two words"])

    assert settings.loki.headers == {"X-A": "1", "X-B": "two words"}


def test_bad_header_rejected() -> None:
    with pytest.raises(SettingsError, match="expected 'Name: value'"):
        load(["--header", "no colon here"])


def test_secrets_hidden_in_str() -> None:
    settings = load(
        ["--password", "pw-secret", "--bearer-token", "tok-secret", "--header", "Cookie: c-secret"],
        {"LOKI_ADDR": "http://user:url-secret@loki:3100"},
    )

    for text in (str(settings), repr(settings), str(settings.loki)):
        assert "pw-secret" not in text
        assert "tok-secret" not in text
        assert "c-secret" not in text
        assert "url-secret" not in text


def test_range_flags() -> None:
    since = load(["--since", "2h"])
    absolute = load(["--from", "2024-05-01T12:00:00Z", "--to", "2024-05-01T13:00:00Z"])
    since_before_to = load(["--since", "30m", "--to", "2024-05-01T13:00:00Z"])

    assert since.time_from == "now-2h"
    assert absolute.time_from == "2024-05-01T12:00:00Z"
    assert absolute.time_to == "2024-05-01T13:00:00Z"
    assert resolve_time(since_before_to.time_from, NOW) == resolve_time(
        "2024-05-01T12:30:00Z", NOW
    )


def test_invalid_range_rejected() -> None:
    with pytest.raises(SettingsError, match="--since"):
        load(["--since", "yesterday"])
    with pytest.raises(SettingsError, match="--from"):
        load(["--from", "last tuesday"])


def test_resolve_time_forms() -> None:
    assert resolve_time("now", NOW) == NOW
    assert resolve_time("now-2h", NOW) == NOW - 7200 * SECOND
    assert resolve_time("now+5m", NOW) == NOW + 300 * SECOND
    assert resolve_time("2023-11-14T22:13:20Z", NOW) == NOW
    assert resolve_time("2023-11-14T22:13:20.000000123Z", NOW) == NOW + 123
    assert resolve_time("2023-11-15T00:13:20+02:00", NOW) == NOW
    assert resolve_time("1700000000000", NOW) == NOW


def test_query_argument() -> None:
    settings = load(['{service_name="billing"} |= "error"', "--tail", "--limit", "50"])

    assert settings.query == '{service_name="billing"} |= "error"'
    assert settings.tail is True
    assert settings.limit == 50


def test_explore_link_argument() -> None:
    link = explore_url(
        "https://grafana.example/sub",
        "loki-uid",
        '{service_name="billing"} |= "task_id=7f3a9c2e"',
        "now-6h",
        "now-1h",
        org_id=4,
    )

    settings = load([link])

    assert settings.query == '{service_name="billing"} |= "task_id=7f3a9c2e"'
    assert settings.time_from == "now-6h"
    assert settings.time_to == "now-1h"
    assert settings.grafana.url == "https://grafana.example/sub"
    assert settings.grafana.datasource_uid == "loki-uid"
    assert settings.grafana.org_id == 4


def test_flags_override_link_range() -> None:
    link = explore_url("https://g.example", "uid", '{a="b"}', 1700000000000, 1700003600000)

    settings = load([link, "--since", "15m"])

    assert settings.time_to == "1700003600000"
    assert resolve_time(settings.time_from, NOW) == 1700003600000_000000 - 900 * SECOND


def test_invalid_address_rejected() -> None:
    with pytest.raises(SettingsError, match="http:// or https://"):
        load(["--addr", "loki:3100"])


def test_legacy_explore_link() -> None:
    left = '["now-3h","now","loki-uid",{"refId":"A","expr":"{service_name=\\"mail\\"}"}]'
    link = "https://grafana.example/explore?orgId=2&left=" + quote(left, safe="")

    settings = load([link])

    assert settings.query == '{service_name="mail"}'
    assert settings.time_from == "now-3h"
    assert settings.time_to == "now"
    assert settings.grafana.url == "https://grafana.example"
    assert settings.grafana.org_id == 2


def test_query_length_and_categorize_flags() -> None:
    settings = load(["--max-query-length", "30d", "--categorize-labels"])

    assert settings.loki.max_query_length_ns == 30 * 24 * 3600 * SECOND
    assert settings.loki.categorize_labels is True
