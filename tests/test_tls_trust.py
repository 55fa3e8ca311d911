"""One CA-bundle check for the settings and the client; TLS checks are never turned off."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from importer.cli.app import cli
from importer.errors import ExitCode, UsageError
from importer.send.client import OceanClient
from importer.settings.load import load_configuration
from importer.tls_trust import ca_bundle_missing, trusted_certificates


def test_a_named_bundle_must_exist(tmp_path: Path) -> None:
    bundle = tmp_path / "company-ca.pem"
    assert ca_bundle_missing(str(bundle))
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    assert not ca_bundle_missing(str(bundle))
    assert not ca_bundle_missing(str(tmp_path))  # a folder of certificates (c_rehash) is fine
    assert not ca_bundle_missing(None) and not ca_bundle_missing("")


@pytest.mark.parametrize(
    ("setting", "environ", "verify"),
    [
        ("mine.pem", {"REQUESTS_CA_BUNDLE": "env.pem"}, "mine.pem"),
        (None, {"REQUESTS_CA_BUNDLE": "env.pem", "CURL_CA_BUNDLE": "curl.pem"}, "env.pem"),
        (None, {"CURL_CA_BUNDLE": "curl.pem"}, "curl.pem"),
        (None, {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""}, True),
        (None, {}, True),
    ],
    ids=["setting-wins", "requests-variable", "curl-variable", "empty-is-not-off", "system"],
)
def test_trusted_certificates(setting, environ, verify) -> None:
    assert trusted_certificates(setting, environ) == verify


def test_settings_and_client_refuse_the_same_missing_bundle(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.pem")
    with pytest.raises(UsageError, match=r"missing\.pem"):
        load_configuration({"ca_bundle": missing}, environ={}, cwd=tmp_path)
    with pytest.raises(UsageError, match=r"missing\.pem"):
        OceanClient("https://127.0.0.1:9", "login", "password", ca_bundle=missing)


def test_the_command_line_says_a_missing_bundle_in_the_users_language(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    env = {"OCEAN_API_URL": "https://127.0.0.1:9", "OCEAN_LOGIN": "l", "OCEAN_PASSWORD": "p"}
    result = CliRunner().invoke(
        cli, ["--lang", "fr", "check", "--ca-bundle", str(missing)], env=env
    )
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "--ca-bundle" in result.stderr and "n'existe pas" in result.stderr
