"""System checks for ``WAGTAIL_OPENIMMO`` (run by ``manage.py check`` and every command)."""

from wagtail_openimmo.checks import check_settings


def ids(messages):
    return [m.id for m in messages]


def test_known_settings_pass(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 5, "WITHDRAW_MODE": "unpublish"}
    assert check_settings() == []


def test_a_misspelt_key_is_named_with_the_likely_one(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECOND": 5}
    [message] = check_settings()
    assert message.id == "wagtail_openimmo.W001"
    assert "INBOX_STABLE_SECOND" in message.msg and "INBOX_STABLE_SECONDS" in message.hint


def test_an_unreadable_schema_is_reported(settings, tmp_path):
    settings.WAGTAIL_OPENIMMO = {"XSD_PATH": str(tmp_path / "nowhere.xsd")}
    assert ids(check_settings()) == ["wagtail_openimmo.W002"]
    not_a_schema = tmp_path / "bad.xsd"
    not_a_schema.write_text("<html/>")
    settings.WAGTAIL_OPENIMMO = {"XSD_PATH": str(not_a_schema)}
    assert ids(check_settings()) == ["wagtail_openimmo.W002"]


def test_not_a_dict(settings):
    settings.WAGTAIL_OPENIMMO = ["INBOX_DIR"]
    assert ids(check_settings()) == ["wagtail_openimmo.E001"]
