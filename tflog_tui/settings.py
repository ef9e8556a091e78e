"""Application settings from flags, environment, a TOML profile and defaults.

Precedence, highest first: command-line flags, environment variables, the
selected profile of the config file, defaults. The Loki flags and variables
have logcli's names and meanings (`--addr`/`LOKI_ADDR`, ...).
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO

import platformdirs

from tflog_tui import __version__
from tflog_tui.logql.units import parse_duration
from tflog_tui.loki.settings import (
    DEFAULT_MAX_ENTRIES_PER_PAGE,
    DEFAULT_MAX_QUERY_LENGTH_NS,
    LokiSettings,
)
from tflog_tui.times import resolve_time

DEFAULT_SINCE: Final = "1h"

_SECRET_KEYS: Final = frozenset({"password", "bearer_token"})


class SettingsError(ValueError):
    """A flag, variable or config file value is invalid; the message names it."""


@dataclass
class GrafanaSettings:
    """The Grafana that Explore links point at; `url` is its root, sub-path included."""

    url: str | None = None
    datasource_uid: str | None = None
    org_id: int = 1


@dataclass
class AppSettings:
    """Everything tflog starts with.

    `time_from` and `time_to` are `now`, `now-2h` style or RFC3339 strings
    (see `resolve_time`). `limit` caps the entries of one range query and
    `capacity` the entries one pane keeps. `embedded_url` is set when tflog
    serves the demo data itself.
    """

    loki: LokiSettings
    grafana: GrafanaSettings = field(default_factory=GrafanaSettings)
    query: str | None = None
    time_from: str = "now-1h"
    time_to: str = "now"
    limit: int = 5000
    tail: bool = False
    embedded_url: str | None = None
    capacity: int = 1_000_000
    utc: bool = False
    addr_configured: bool = False
    """False when no flag, variable or profile named a Loki address."""
    demo: bool = False
    profile: str | None = None
    config_path: str | None = None
    log_level: str = "INFO"
    log_file: str | None = None
    warnings: list[str] = field(default_factory=list)
    """Warnings found while loading (files with secrets readable by others)."""


def default_config_path() -> Path:
    """Return the config file path: `<user config dir>/tflog/config.toml`."""
    return Path(platformdirs.user_config_dir("tflog")) / "config.toml"


def default_log_path() -> Path:
    """Return the log file path: `<user log dir>/tflog.log`."""
    return Path(platformdirs.user_log_dir("tflog")) / "tflog.log"


# Flags


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare every flag of `tflog`; defaults are None so that precedence can apply."""
    parser.add_argument(
        "target",
        nargs="?",
        metavar="QUERY_OR_LINK",
        help="a LogQL query, or a Grafana Explore link whose query and range to open",
    )

    loki = parser.add_argument_group("Loki connection (logcli's flags and variables)")
    loki.add_argument("--addr", help="Loki address, e.g. http://loki:3100 [LOKI_ADDR]")
    loki.add_argument("--username", help="user name for basic auth [LOKI_USERNAME]")
    loki.add_argument("--password", help="password for basic auth [LOKI_PASSWORD]")
    loki.add_argument("--bearer-token", help="bearer token [LOKI_BEARER_TOKEN]")
    loki.add_argument(
        "--bearer-token-file",
        help="file holding the bearer token, read again when it changes [LOKI_BEARER_TOKEN_FILE]",
    )
    loki.add_argument("--org-id", help="tenant sent as X-Scope-OrgID [LOKI_ORG_ID]")
    loki.add_argument("--ca-cert", help="CA certificate file (PEM) [LOKI_CA_CERT_PATH]")
    loki.add_argument("--cert", help="client certificate file (PEM) [LOKI_CLIENT_CERT_PATH]")
    loki.add_argument("--key", help="client key file (PEM) [LOKI_CLIENT_KEY_PATH]")
    loki.add_argument(
        "--tls-skip-verify",
        action="store_true",
        default=None,
        help="do not verify the server certificate [LOKI_TLS_SKIP_VERIFY]",
    )
    loki.add_argument(
        "--proxy-url",
        help="HTTP proxy for Loki; default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY [LOKI_HTTP_PROXY_URL]",
    )
    loki.add_argument(
        "--header",
        action="append",
        metavar="'NAME: VALUE'",
        help="extra HTTP header for every request; repeat for more",
    )
    loki.add_argument("--timeout", type=float, help="timeout of one request, in seconds (30)")
    loki.add_argument(
        "--retries", type=int, help="retries after 429, 502, 503, 504 or a lost connection (3)"
    )
    loki.add_argument(
        "--max-entries-per-page",
        type=int,
        help="largest limit of one request; Loki's max_entries_limit_per_query (5000)",
    )

    loki.add_argument(
        "--max-query-length",
        help="split longer ranges into windows of this duration, e.g. 721h or 30d (721h)",
    )
    loki.add_argument(
        "--categorize-labels",
        action="store_true",
        default=None,
        help="ask Loki 3.x to send structured metadata and parsed labels apart",
    )

    grafana = parser.add_argument_group("Grafana (for Explore links)")
    grafana.add_argument("--grafana-url", help="Grafana root URL [TFLOG_GRAFANA_URL]")
    grafana.add_argument(
        "--grafana-datasource-uid", help="uid of the Loki datasource [TFLOG_GRAFANA_DATASOURCE_UID]"
    )
    grafana.add_argument(
        "--grafana-org-id", type=int, help="Grafana organisation id (1) [TFLOG_GRAFANA_ORG_ID]"
    )

    query = parser.add_argument_group("range")
    query.add_argument(
        "--since", help="start this long before --to: a duration like 15m, 2h, 7d (1h)"
    )
    query.add_argument("--from", dest="time_from", help="start: now-2h, RFC3339 or epoch ms")
    query.add_argument("--to", dest="time_to", help="end: now, now-1h, RFC3339 or epoch ms (now)")
    query.add_argument(
        "--limit", type=int, help="maximum entries of one range query, in entries (5000)"
    )
    query.add_argument(
        "--tail", action="store_true", default=None, help="start the query as a live tail"
    )

    app = parser.add_argument_group("tflog")
    app.add_argument(
        "--config", help="config file (TOML) [TFLOG_CONFIG]; default: " + str(default_config_path())
    )
    app.add_argument("--profile", help="profile of the config file to use [TFLOG_PROFILE]")
    app.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="serve demo data from the embedded server, even when a Loki address is set",
    )
    app.add_argument(
        "--utc", action="store_true", default=None, help="show timestamps in UTC, not local time"
    )
    app.add_argument(
        "--capacity", type=int, help="maximum entries kept in one pane, in entries (1000000)"
    )
    app.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
        help="level of the log file (INFO)",
    )
    app.add_argument("--log-file", help="log file; default: " + str(default_log_path()))
    app.add_argument("--version", action="version", version=f"tflog {__version__}")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of `tflog [options] [QUERY_OR_LINK]`."""
    parser = argparse.ArgumentParser(
        prog="tflog",
        description=(
            "A terminal explorer for Grafana Loki. With no Loki address configured it "
            "serves demo data from an embedded server. Run `tflog serve --help` for the "
            "server alone."
        ),
        epilog=(
            "Precedence: flags, then environment variables, then the config file profile "
            "([profiles.NAME], default_profile), then defaults."
        ),
    )
    add_arguments(parser)
    return parser


# Sources


_ENVIRONMENT: Final[dict[str, str]] = {
    "addr": "LOKI_ADDR",
    "username": "LOKI_USERNAME",
    "password": "LOKI_PASSWORD",
    "bearer_token": "LOKI_BEARER_TOKEN",
    "bearer_token_file": "LOKI_BEARER_TOKEN_FILE",
    "org_id": "LOKI_ORG_ID",
    "ca_cert": "LOKI_CA_CERT_PATH",
    "cert": "LOKI_CLIENT_CERT_PATH",
    "key": "LOKI_CLIENT_KEY_PATH",
    "tls_skip_verify": "LOKI_TLS_SKIP_VERIFY",
    "proxy_url": "LOKI_HTTP_PROXY_URL",
    "grafana_url": "TFLOG_GRAFANA_URL",
    "grafana_datasource_uid": "TFLOG_GRAFANA_DATASOURCE_UID",
    "grafana_org_id": "TFLOG_GRAFANA_ORG_ID",
    "profile": "TFLOG_PROFILE",
}

# Keys a profile may set, with the type each value must have.
_PROFILE_KEYS: Final[dict[str, type | tuple[type, ...]]] = {
    "addr": str,
    "username": str,
    "password": str,
    "bearer_token": str,
    "bearer_token_file": str,
    "org_id": str,
    "ca_cert": str,
    "cert": str,
    "key": str,
    "tls_skip_verify": bool,
    "proxy_url": str,
    "headers": dict,
    "timeout": (int, float),
    "retries": int,
    "max_entries_per_page": int,
    "max_query_length": str,
    "split_parallelism": int,
    "categorize_labels": bool,
    "grafana_url": str,
    "grafana_datasource_uid": str,
    "grafana_org_id": int,
    "since": str,
    "limit": int,
    "capacity": int,
    "utc": bool,
    "log_level": str,
}


def _parse_bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"invalid value {text!r} for {name}: expected true or false")


def _environment_values(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, variable in _ENVIRONMENT.items():
        text = environ.get(variable)
        if text is None or text == "":
            continue
        if key == "tls_skip_verify":
            values[key] = _parse_bool(variable, text)
        elif key == "grafana_org_id":
            try:
                values[key] = int(text)
            except ValueError as error:
                raise SettingsError(f"invalid {variable} {text!r}: expected an integer") from error
        else:
            values[key] = text
    return values


_FLAG_KEYS: Final = (
    "addr",
    "username",
    "password",
    "bearer_token",
    "bearer_token_file",
    "org_id",
    "ca_cert",
    "cert",
    "key",
    "tls_skip_verify",
    "proxy_url",
    "timeout",
    "retries",
    "max_entries_per_page",
    "max_query_length",
    "categorize_labels",
    "grafana_url",
    "grafana_datasource_uid",
    "grafana_org_id",
    "since",
    "time_from",
    "time_to",
    "limit",
    "tail",
    "demo",
    "utc",
    "capacity",
    "log_level",
    "log_file",
    "profile",
)


def _flag_values(args: argparse.Namespace) -> dict[str, Any]:
    values = {key: getattr(args, key) for key in _FLAG_KEYS}
    values = {key: value for key, value in values.items() if value is not None}
    if args.header:
        values["headers"] = parse_headers(args.header)
    return values


def parse_headers(items: Sequence[str]) -> dict[str, str]:
    """Parse `Name: value` strings into a header dict; raise SettingsError on a bad one."""
    headers: dict[str, str] = {}
    for item in items:
        name, separator, value = item.partition(":")
        name = name.strip()
        if not separator or not name or any(char.isspace() for char in name):
            raise SettingsError(f"invalid --header {item!r}: expected 'Name: value'")
        headers[name] = value.strip()
    return headers


def _mode_warning(path: Path, secret_kind: str) -> str | None:
    """Warn when a file holding a secret is readable by group or others (POSIX only)."""
    if os.name != "posix":
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"{path} contains {secret_kind} and is readable by group or others "
            f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}"
        )
    return None


def load_config(path: Path, explicit: bool) -> dict[str, Any]:
    """Read the TOML config file; a missing default file reads as empty.

    Raises SettingsError when an explicitly named file is missing or invalid.
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        if explicit:
            raise SettingsError(f"config file {path} not found") from error
        return {}
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"invalid config file {path}: {error}") from error
    except OSError as error:
        raise SettingsError(f"cannot read config file {path}: {error}") from error


def _profile_values(
    config: Mapping[str, Any], name: str | None, path: Path
) -> tuple[str | None, dict[str, Any]]:
    profiles = config.get("profiles", {})
    if not isinstance(profiles, dict):
        raise SettingsError(f"invalid config file {path}: [profiles] must be a table")
    if name is None:
        default = config.get("default_profile")
        if default is None:
            return None, {}
        if not isinstance(default, str):
            raise SettingsError(f"invalid config file {path}: default_profile must be a string")
        name = default
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise SettingsError(f"profile {name!r} not found in {path} (profiles: {known})")

    values = dict(profiles[name])
    for key, value in values.items():
        expected = _PROFILE_KEYS.get(key)
        if expected is None:
            raise SettingsError(f"unknown key {key!r} in [profiles.{name}] of {path}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SettingsError(f"invalid {key!r} in [profiles.{name}] of {path}: {value!r}")
    if "headers" in values:
        values["headers"] = {str(header): str(text) for header, text in values["headers"].items()}
    return name, values


# Loading


def load_settings(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
) -> AppSettings:
    """Parse flags, read the environment and the config profile; return the settings.

    Raises SettingsError for invalid values, and the message names the
    source. `--help` and `--version` exit through argparse. Warnings about
    files containing secrets go to `stderr` and into `AppSettings.warnings`,
    which the command line writes to the log once the log file is set up.
    """
    environ = os.environ if environ is None else environ
    stderr = sys.stderr if stderr is None else stderr
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))

    flags = _flag_values(args)
    env = _environment_values(environ)
    config_text = args.config or environ.get("TFLOG_CONFIG") or None
    config_path = Path(config_text).expanduser() if config_text else default_config_path()
    config = load_config(config_path, explicit=config_text is not None)
    profile_name, profile = _profile_values(
        config, flags.get("profile", env.get("profile")), config_path
    )

    merged: dict[str, Any] = {**profile, **env, **flags}
    warnings = []
    if any(key in profile for key in _SECRET_KEYS):
        warning = _mode_warning(config_path, "a password or bearer token")
        if warning:
            warnings.append(warning)
    token_file = merged.get("bearer_token_file")
    if token_file:
        warning = _mode_warning(Path(token_file).expanduser(), "a bearer token")
        if warning:
            warnings.append(warning)
    for warning in warnings:
        print(f"tflog: warning: {warning}", file=stderr)

    settings = _build(merged, args.target)
    settings.profile = profile_name
    settings.config_path = str(config_path)
    settings.warnings = warnings
    return settings


def _build(values: dict[str, Any], target: str | None) -> AppSettings:
    max_query_length_ns = DEFAULT_MAX_QUERY_LENGTH_NS
    if "max_query_length" in values:
        max_query_length_ns = _duration(values["max_query_length"], "max_query_length")

    loki = LokiSettings(
        addr=values.get("addr", LokiSettings.addr),
        username=values.get("username"),
        password=values.get("password"),
        bearer_token=values.get("bearer_token"),
        bearer_token_file=values.get("bearer_token_file"),
        org_id=values.get("org_id"),
        ca_cert=values.get("ca_cert"),
        client_cert=values.get("cert"),
        client_key=values.get("key"),
        tls_skip_verify=bool(values.get("tls_skip_verify", False)),
        proxy_url=values.get("proxy_url"),
        headers=dict(values.get("headers", {})),
        timeout_s=float(values.get("timeout", LokiSettings.timeout_s)),
        retries=int(values.get("retries", LokiSettings.retries)),
        max_entries_per_page=int(
            values.get("max_entries_per_page", DEFAULT_MAX_ENTRIES_PER_PAGE)
        ),
        max_query_length_ns=max_query_length_ns,
        split_parallelism=int(values.get("split_parallelism", 4)),
        categorize_labels=bool(values.get("categorize_labels", False)),
    )
    _check_positive("timeout", loki.timeout_s)
    _check_positive("max_entries_per_page", loki.max_entries_per_page)
    if loki.retries < 0:
        raise SettingsError(f"invalid retries {loki.retries}: expected 0 or more")
    if not re.match(r"^https?://", loki.addr):
        raise SettingsError(f"invalid Loki address {loki.addr!r}: expected http:// or https://")

    grafana = GrafanaSettings(
        url=values.get("grafana_url"),
        datasource_uid=values.get("grafana_datasource_uid"),
        org_id=int(values.get("grafana_org_id", 1)),
    )

    since = values.get("since", DEFAULT_SINCE)
    _duration(since, "--since")
    query = None
    link_from = link_to = None
    if target:
        query, link_from, link_to = _open_target(
            target, grafana, keep_org_id="grafana_org_id" in values
        )
    time_to = values.get("time_to") or link_to or "now"
    now_ns = time.time_ns()
    try:
        resolve_time(time_to, now_ns)
    except ValueError as error:
        raise SettingsError(f"invalid --to: {error}") from error
    if "time_from" in values:
        time_from = values["time_from"]
    elif "since" not in values and link_from:
        time_from = link_from
    else:
        time_from = _since_text(time_to, since)
    for name, text in (("--from", time_from), ("--to", time_to)):
        try:
            resolve_time(text, now_ns)
        except ValueError as error:
            raise SettingsError(f"invalid {name}: {error}") from error

    settings = AppSettings(
        loki=loki,
        grafana=grafana,
        query=query,
        time_from=time_from,
        time_to=time_to,
        limit=int(values.get("limit", 5000)),
        tail=bool(values.get("tail", False)),
        capacity=int(values.get("capacity", 1_000_000)),
        utc=bool(values.get("utc", False)),
        addr_configured="addr" in values,
        demo=bool(values.get("demo", False)),
        log_level=str(values.get("log_level", "INFO")).upper(),
        log_file=values.get("log_file"),
    )
    _check_positive("limit", settings.limit)
    _check_positive("capacity", settings.capacity)
    return settings


def _since_text(time_to: str, since: str) -> str:
    """Write the start that lies `since` before `time_to` as a time string."""
    if time_to.strip() == "now":
        return f"now-{since}"
    end_ns = resolve_time(time_to, time.time_ns(), round_up=True)
    start_ns = end_ns - parse_duration(since)
    return str(start_ns // 1_000_000)


def _duration(text: str, name: str) -> int:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise SettingsError(
            f"invalid {name} {text!r}: expected a duration like 15m, 2h or 7d"
        ) from error


def _check_positive(name: str, value: float) -> None:
    if value <= 0:
        raise SettingsError(f"invalid {name} {value}: expected a positive number")


def _open_target(
    target: str, grafana: GrafanaSettings, keep_org_id: bool
) -> tuple[str, str | None, str | None]:
    """Return (query, from, to) for a LogQL query or a Grafana Explore link."""
    from tflog_tui import grafana as grafana_links

    if not grafana_links.is_explore_url(target):
        return target, None, None
    try:
        link = grafana_links.parse_explore_url(target)
    except ValueError as error:
        raise SettingsError(f"cannot open the Explore link: {error}") from error
    if grafana.url is None:
        grafana.url = link.grafana_url
    if grafana.datasource_uid is None:
        grafana.datasource_uid = link.datasource
    if link.org_id is not None and not keep_org_id:
        grafana.org_id = link.org_id
    return link.expanded_expr(time.time_ns()), link.time_from, link.time_to
