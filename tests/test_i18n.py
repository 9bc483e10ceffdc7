"""Chinese by default; the English catalogue is complete, compiled and used when the browser asks for English."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "config" / "locale" / "en" / "LC_MESSAGES"


def test_english_catalogue_is_complete_and_compiled():
    po = [entry for entry in polib.pofile(str(LOCALE / "django.po")) if not entry.obsolete]
    assert len(po) > 100
    assert [entry.msgid for entry in po if not all(_translations(entry)) or "fuzzy" in entry.flags] == []
    # Keyed by (context, msgid): one Chinese word may read differently by context (新增: "New" / "Created").
    compiled = {(e.msgctxt, e.msgid): _translations(e) for e in polib.mofile(str(LOCALE / "django.mo"))}
    assert {(e.msgctxt, e.msgid): _translations(e) for e in po} == {k: v for k, v in compiled.items() if k[1]}


def _translations(entry):
    """msgstr, or every plural form ({% blocktranslate count %}) of an entry with a plural."""
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


@pytest.mark.django_db
def test_portal_speaks_chinese_by_default_and_english_on_request(tenant_client):
    chinese = tenant_client("harbin").get("/").content.decode()
    assert "注册" in chinese and "入库申请" in chinese and "试点行业" in chinese
    english = tenant_client("harbin", HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert "Register" in english and "Pilot admission" in english and "Pilot industries" in english
    assert 'lang="en"' in english
