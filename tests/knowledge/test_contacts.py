"""contacts.yaml: validation with clear errors, rendering, and never showing an unconfirmed fact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge import DataError, load_data
from knowledge.contacts import PENDING_TEXT, parse_contacts, render

FIXTURE = Path(__file__).parent / "fixtures" / "data"

GOOD = {
    "contacts": [
        {
            "id": "window",
            "name": "協働の窓口",
            "phone": {"value": "042-000-0000", "status": "confirmed", "source": "https://example.org/a"},
            "hours": {"value": "平日の9時から17時まで", "status": "to_confirm"},
            "address": {"status": "to_confirm"},
        }
    ]
}


def _problems(raw) -> list[str]:
    problems: list[str] = []
    parse_contacts(raw, problems)
    return problems


def test_good_contacts_parse():
    problems: list[str] = []
    [c] = parse_contacts(GOOD, problems)
    assert problems == []
    assert c.shown("phone") == "042-000-0000"
    assert c.shown("hours") == PENDING_TEXT  # a value waiting for the city is never shown
    assert c.shown("web") == PENDING_TEXT  # nor one nobody wrote
    assert "平日" not in c.card() and "042-000-0000" in c.card()
    assert c.to_dict()["hours"] == {"value": None, "status": "to_confirm"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.update(phone={"value": "042-000-0000", "status": "confirmed"}), "needs its public 'source'"),
        (lambda c: c.update(phone={"status": "confirmed", "source": "https://x.org"}), "needs a 'value'"),
        (lambda c: c.update(phone={"value": "0423830000", "status": "confirmed", "source": "https://x.org"}), "not a phone number"),
        (lambda c: c.update(phone={"value": "042-000-0000", "status": "maybe"}), "status must be"),
        (lambda c: c.update(phone={"value": "042-000-0000", "status": "confirmed", "source": "city hall"}), "web address"),
        (lambda c: c.update(web={"value": "www.example.org", "status": "to_confirm"}), "not a web address"),
        (lambda c: c.update(email={"value": "nobody", "status": "to_confirm"}), "not an e-mail address"),
        (lambda c: c.update(fax={"value": "1", "status": "confirmed"}), "unknown field 'fax'"),
        (lambda c: c["phone"].update(colour="red"), "unknown field 'colour'"),
        (lambda c: c.update(phone="042-000-0000"), "expected a mapping"),
        (lambda c: c.pop("name"), "'name' is missing"),
        (lambda c: c.update(id="Window 1"), "lower-case letters"),
    ],
)
def test_each_mistake_is_reported_clearly(edit, message):
    raw = yaml.safe_load(yaml.safe_dump(GOOD))
    edit(raw["contacts"][0])
    problems = _problems(raw)
    assert any(message in p for p in problems), problems
    assert all(p.startswith("contacts.yaml: contact") for p in problems), problems


def test_duplicate_ids_and_bad_shape():
    raw = {"contacts": [GOOD["contacts"][0], dict(GOOD["contacts"][0])]}
    assert any("duplicate id" in p for p in _problems(raw))
    assert _problems({"contact": []}) == ["contacts.yaml: expected a mapping with a list 'contacts'"]
    assert _problems(None) == []


def test_placeholders():
    [c] = parse_contacts(GOOD, [])
    problems: list[str] = []
    text = render(
        "電話 {{contact:window:phone}}／時間は{{contact:window:hours}}です／{{contact:window:name}}",
        {"window": c},
        "faq.yaml: entry 'x'",
        problems,
    )
    assert text == f"電話 042-000-0000／時間は{PENDING_TEXT}です／協働の窓口" and problems == []
    render("{{contact:nobody:phone}} {{contact:window:fax}}", {"window": c}, "faq.yaml: entry 'x'", problems)
    assert len(problems) == 2 and "names no contact" in problems[0] and "'fax' is not one of" in problems[1]


def test_loader_reports_contact_problems_with_the_rest(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(FIXTURE, d)
    bad = yaml.safe_load(yaml.safe_dump(GOOD))
    bad["contacts"][0]["phone"]["status"] = "perhaps"
    (d / "contacts.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    faq = yaml.safe_load((d / "faq.yaml").read_text(encoding="utf-8"))
    faq[0]["answer"] += " {{contact:elsewhere:phone}}"
    (d / "faq.yaml").write_text(yaml.safe_dump(faq, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_data(d)
    text = "\n".join(exc.value.problems)
    assert "contacts.yaml: contact 'window': phone: status must be" in text
    assert "faq.yaml: entry 'about-kyodo': placeholder {{contact:elsewhere:phone}} names no contact" in text


def test_shipped_contacts_never_show_unconfirmed_values():
    data = load_data()
    contacts = {c.id: c for c in data.contacts}
    assert {"community-culture", "volunteer-centre", "city-hall"} <= set(contacts)
    answers = "\n".join(e.answer for e in data.faq)
    assert "{{" not in answers
    for c in contacts.values():
        for f in c.facts.values():
            if f.confirmed:
                assert f.source and f.source.startswith("https://")
            elif f.value:
                assert f.value not in answers, f"unconfirmed {f.value!r} shown"
