"""``openimmo_ftpd`` and building the server from the settings."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from wagtail_openimmo.ftp import server as ftp_server
from wagtail_openimmo.ftp.server import InboxFTPServer, build_server, parse_port_range


def test_command_serves_on_the_given_address(monkeypatch, capsys, settings, inbox):
    settings.WAGTAIL_OPENIMMO = {"FTP_PASSIVE_PORTS": "60000-60009"}
    served = []

    def serve_forever(self, *args, **kwargs):
        served.append((self.address, self.handler.passive_ports))
        self.close_all()

    monkeypatch.setattr(InboxFTPServer, "serve_forever", serve_forever)
    call_command("openimmo_ftpd", "--host", "127.0.0.1", "--port", "0")
    [(address, ports)] = served
    assert address[0] == "127.0.0.1" and address[1] > 0
    assert ports == list(range(60000, 60010))
    out = capsys.readouterr().out
    assert "plain FTP" in out and "passive ports 60000-60009" in out and str(inbox) in out


def test_settings_are_checked(settings, inbox):
    assert parse_port_range(None) is None
    assert parse_port_range("2000") == [2000]
    assert parse_port_range([5, 6]) == [5, 6]
    for bad in ("a-b", "0-3", "70000-70001"):
        with pytest.raises(ImproperlyConfigured):
            parse_port_range(bad)
    settings.WAGTAIL_OPENIMMO = {"FTP_TLS_REQUIRED": True}
    with pytest.raises(ImproperlyConfigured, match="FTP_TLS_CERTFILE"):
        build_server("127.0.0.1", 0)
    settings.WAGTAIL_OPENIMMO = {"FTP_TLS_CERTFILE": str(inbox / "missing.pem")}
    with pytest.raises(FileNotFoundError):
        build_server("127.0.0.1", 0)


def test_each_server_has_its_own_handler_configuration(settings, inbox):
    settings.WAGTAIL_OPENIMMO = {"FTP_MASQUERADE_ADDRESS": "203.0.113.7"}
    first = ftp_server.handler_class()
    settings.WAGTAIL_OPENIMMO = {}
    second = ftp_server.handler_class()
    assert first.masquerade_address == "203.0.113.7" and second.masquerade_address is None
    assert first.authorizer is not second.authorizer
