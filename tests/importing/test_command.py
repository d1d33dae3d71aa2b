"""``openimmo_import FILE [FILE ...] --broker SLUG [--dry-run] [--force] [--json]``."""

import errno
import json

import pytest
from django.core.management import CommandError, call_command

from tests.importing.helpers import Prop, openimmo_settings, transfer, write_upload
from wagtail_openimmo.models import ImportRun, ListingPage

pytestmark = pytest.mark.django_db

REQUIRED_KEYS = {
    "file",
    "status",
    "created",
    "updated",
    "unchanged",
    "withdrawn",
    "rejected",
    "warnings",
    "errors",
}


def run(*args):
    """(stdout lines, CommandError or None)."""
    from io import StringIO

    out = StringIO()
    error = None
    try:
        call_command("openimmo_import", *args, stdout=out)
    except CommandError as exc:
        error = exc
    return out.getvalue().splitlines(), error


@openimmo_settings(STRICT_VALIDATION=True)  # a missing title/city rejects
def test_json_prints_one_object_per_file(tmp_path, broker):
    good = write_upload(
        tmp_path / "good.xml", transfer(Prop(intern="1"), Prop(intern="2", titel=None))
    )
    second = write_upload(tmp_path / "second.xml", transfer(Prop(intern="1", kaufpreis="5")))
    lines, error = run(str(good), str(second), "--broker", "acme", "--json")
    assert error is None
    first, other = (json.loads(line) for line in lines)
    assert set(first) >= REQUIRED_KEYS
    assert (first["file"], first["status"], first["created"], first["rejected"]) == (
        str(good),
        "partly_imported",
        1,
        1,
    )
    [problem] = first["errors"]
    assert set(problem) >= {"objektnr", "line", "message", "code"}
    assert problem["objektnr"] == "E100" and problem["code"] == "title_missing"
    assert isinstance(problem["line"], int) and "objekttitel" in problem["message"]
    assert (other["status"], other["updated"]) == ("imported", 1)


def test_exit_status_is_non_zero_when_a_file_was_refused(tmp_path, broker):
    good = write_upload(tmp_path / "good.xml", transfer(Prop()))
    foreign = write_upload(tmp_path / "foreign.xml", transfer(Prop(intern="9"), anid="NOBODY"))
    lines, error = run(str(good), str(foreign), "--broker", "acme", "--json")
    assert error is not None and error.returncode == 1
    results = [json.loads(line) for line in lines]
    assert [(r["status"], r["refused"]) for r in results] == [
        ("imported", False),
        ("rejected", True),
    ]
    assert results[1]["errors"][0]["code"] == "anid_mismatch"
    assert ListingPage.objects.count() == 1


def test_dry_run_writes_nothing(tmp_path, broker):
    path = write_upload(tmp_path / "u.xml", transfer(Prop()))
    lines, error = run(str(path), "--broker", "acme", "--dry-run", "--json")
    assert error is None and json.loads(lines[0])["created"] == 1
    assert not ListingPage.objects.exists() and not ImportRun.objects.exists()


def test_a_held_voll_fails_until_forced(tmp_path, broker):
    run(
        str(
            write_upload(
                tmp_path / "a.xml", transfer(Prop(intern="1"), Prop(intern="2"), Prop(intern="3"))
            )
        ),
        "--broker",
        "acme",
    )
    voll = write_upload(tmp_path / "voll.xml", transfer(Prop(intern="1"), umfang="VOLL"))
    lines, error = run(str(voll), "--broker", "acme")
    assert error is not None and error.returncode == 1
    text = "\n".join(lines)
    assert "held" in text and "--force" in text and "2 of your 3 live listings" in text
    lines, error = run(str(voll), "--broker", "acme", "--force", "--json")
    assert error is None and json.loads(lines[0])["withdrawn"] == 2


@openimmo_settings(STRICT_VALIDATION=True)  # a missing title/city rejects
def test_human_output_names_object_number_and_line(tmp_path, broker):
    path = write_upload(tmp_path / "u.xml", transfer(Prop(intern="1", extern="W-1", ort=None)))
    lines, error = run(str(path), "--broker", "acme")
    # nothing of the file could be imported: like the inbox mode, the command says so
    assert error is not None and error.returncode == 1
    assert lines[0].startswith(f"{path} (acme): rejected: 0 created")
    assert any("object W-1" in line and "line " in line and "geo/ort" in line for line in lines)


def test_the_broker_is_recognised_without_broker(tmp_path, broker):
    path = write_upload(tmp_path / "u.xml", transfer(Prop()))
    lines, error = run(str(path), "--json")
    assert error is None and json.loads(lines[0])["broker"] == "acme"


def test_usage_errors(tmp_path, broker):
    with pytest.raises(CommandError, match="need FILE arguments"):
        call_command("openimmo_import", "--broker", "acme", "--dry-run")
    with pytest.raises(CommandError, match="no broker with the slug"):
        call_command("openimmo_import", "--broker", "nobody")
    with pytest.raises(CommandError, match="no broker with the slug"):
        call_command("openimmo_import", str(tmp_path / "x.zip"), "--broker", "nobody")


def test_a_crash_is_reported_with_what_was_applied_and_the_next_file_goes_on(
    tmp_path, broker, monkeypatch
):
    from wagtail_openimmo.importing import apply

    real_process = apply.process

    def crash_on_the_second_property(ctx, record, xml, position):
        if xml.path.name == "crash.xml" and position == 1:
            # not the property's fault: the file fails as a whole (a bug would be isolated)
            raise OSError(errno.ENOSPC, "disk full")
        return real_process(ctx, record, xml, position)

    monkeypatch.setattr(apply, "process", crash_on_the_second_property)
    crash = write_upload(tmp_path / "crash.xml", transfer(Prop(intern="1"), Prop(intern="2")))
    after = write_upload(tmp_path / "after.xml", transfer(Prop(intern="3")))
    lines, error = run(str(crash), str(after), "--broker", "acme", "--json")
    assert error is not None and error.returncode == 1
    failed, fine = (json.loads(line) for line in lines)
    assert set(failed) >= REQUIRED_KEYS
    assert (failed["status"], failed["created"]) == ("failed", 1)  # the first was applied
    [problem] = failed["errors"]
    assert problem["code"] == "import_failed" and "disk full" in problem["message"]
    assert ImportRun.objects.get(pk=failed["run"]).status == "failed"
    assert (fine["status"], fine["created"]) == ("imported", 1)
    assert sorted(ListingPage.objects.values_list("objektnr_intern", flat=True)) == ["1", "3"]


def test_a_partly_imported_file_exits_zero_a_wholly_rejected_one_not(tmp_path, broker):
    partly = write_upload(
        tmp_path / "p.xml", transfer(Prop(intern="1"), Prop(intern=None, extern=None))
    )
    lines, error = run(str(partly), "--broker", "acme", "--json")
    assert error is None and json.loads(lines[0])["status"] == "partly_imported"
    rejected = write_upload(tmp_path / "r.xml", transfer(Prop(intern=None, extern=None)))
    lines, error = run(str(rejected), "--broker", "acme", "--json")
    assert json.loads(lines[0])["status"] == "rejected"
    assert error is not None and error.returncode == 1


@openimmo_settings(STRICT_VALIDATION=True)  # a missing title/city rejects
def test_the_run_message_is_not_repeated_in_english(tmp_path, broker):
    path = write_upload(tmp_path / "u.xml", transfer(Prop(intern="1", extern="W-1", ort=None)))
    from django.utils import translation

    with translation.override("de"):
        lines, _error = run(str(path), "--broker", "acme")
    text = "\n".join(lines)
    run_row = ImportRun.objects.get()
    assert run_row.message  # the stored run keeps its message
    assert run_row.message not in text  # shown in German, not in English
    assert lines[1].strip() == "1 von 1 Objekten wurden abgelehnt; siehe die Fehler."
    assert "geo/ort" in text
