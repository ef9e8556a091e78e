"""The command line: help, version, errors, the embedded default and the log file."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

import tflog_tui
from tflog_tui import cli
from tflog_tui.settings import AppSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Remove Loki variables, isolate config and log dirs, restore the root logger."""
    for name in ("LOKI_ADDR", "LOKI_PASSWORD", "LOKI_BEARER_TOKEN", "TFLOG_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    root = logging.getLogger()
    handlers = list(root.handlers)
    level = root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)


class FakeApp:
    """Stand in for the Textual app: record the settings, check the server, return."""

    runs: ClassVar[list[AppSettings]] = []
    ready: ClassVar[list[int]] = []

    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings

    def run(self) -> None:
        FakeApp.runs.append(self.settings)
        if self.settings.embedded_url:
            answer = httpx.get(self.settings.embedded_url + "/ready", timeout=10)
            FakeApp.ready.append(answer.status_code)


@pytest.fixture
def fake_app(monkeypatch: pytest.MonkeyPatch) -> type[FakeApp]:
    import tflog_tui.ui.app

    FakeApp.runs = []
    FakeApp.ready = []
    monkeypatch.setattr(tflog_tui.ui.app, "TflogApp", FakeApp)
    return FakeApp


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tflog {tflog_tui.__version__}"


def test_help_documents_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])

    text = " ".join(capsys.readouterr().out.split())
    for option in (
        "--addr", "--username", "--password", "--bearer-token", "--bearer-token-file",
        "--org-id", "--ca-cert", "--cert", "--key", "--tls-skip-verify", "--proxy-url",
        "--header", "--grafana-url", "--grafana-datasource-uid", "--grafana-org-id",
        "--since", "--from", "--to", "--limit", "--tail", "--config", "--profile",
        "--demo", "--log-level", "--version", "LOKI_ADDR", "TFLOG_GRAFANA_URL",
    ):
        assert option in text, option
    assert "in seconds" in text
    assert "in entries" in text


def test_serve_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", "--help"])

    text = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "--retention" in text
    assert "--port" in text


def test_invalid_flag_value(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["--since", "soon"])

    assert status == 2
    assert "invalid --since 'soon'" in capsys.readouterr().err


def test_no_address_starts_embedded(fake_app: type[FakeApp], tmp_path: Path) -> None:
    status = cli.main(["--log-file", str(tmp_path / "tflog.log")])

    settings = fake_app.runs[0]
    assert status == 0
    assert settings.embedded_url is not None
    assert settings.embedded_url.startswith("http://127.0.0.1:")
    assert settings.loki.addr == settings.embedded_url
    assert fake_app.ready == [200]


def test_address_skips_embedded(fake_app: type[FakeApp], tmp_path: Path) -> None:
    log_file = tmp_path / "tflog.log"

    status = cli.main(
        [
            "--addr", "http://loki.invalid:3100", "--password", "pw-secret",
            "--log-file", str(log_file), "--log-level", "debug", '{app="x"}',
        ]
    )

    settings = fake_app.runs[0]
    log_text = log_file.read_text()
    assert status == 0
    assert settings.embedded_url is None
    assert settings.query == '{app="x"}'
    assert "using Loki at http://loki.invalid:3100" in log_text
    assert "pw-secret" not in log_text


def test_demo_flag_forces_embedded(
    fake_app: type[FakeApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[AppSettings] = []
    monkeypatch.setattr(cli, "start_embedded", started.append)

    status = cli.main(
        ["--addr", "http://loki.invalid:3100", "--demo", "--log-file", str(tmp_path / "t.log")]
    )

    assert status == 0
    assert started == [fake_app.runs[0]]


def test_secret_file_warning_logged(
    fake_app: type[FakeApp], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.p]\naddr = "http://loki.invalid:3100"\npassword = "hunter2"\n')
    config.chmod(0o644)
    log_file = tmp_path / "tflog.log"

    status = cli.main(["--config", str(config), "--profile", "p", "--log-file", str(log_file)])

    log_text = log_file.read_text()
    stderr = capsys.readouterr().err
    assert status == 0
    assert stderr.count("readable by group or others") == 1
    assert "readable by group or others" in log_text
    assert "hunter2" not in log_text
    assert "hunter2" not in stderr
