"""The contacts the bot gives (knowledge/data/contacts.yaml): parsed, validated, rendered.

City staff edit contacts.yaml by hand. Every fact (phone, address, hours, web page, e-mail) is
either ``confirmed`` — stated in a public source whose URL is recorded next to it — or
``to_confirm`` — not yet confirmed by the city. A ``to_confirm`` value is kept for staff but is
**never shown**: wherever the bot would show it, it says 「市に確認中」 instead, so the bot never
gives an unconfirmed phone number or address.

FAQ answers use the facts through placeholders, rendered when the data is loaded::

    電話：{{contact:community-culture:phone}}      -> 電話：042-387-9923   (or 電話：市に確認中)
    {{contact:community-culture:name}}             -> 小金井市 市民部 コミュニティ文化課
    {{contact:community-culture}}                  -> a short card: name, then one line per fact

Write a placeholder where either reading is natural: 「受付時間は{{contact:x:hours}}です」 reads
「受付時間は市に確認中です」 when the fact is not confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONFIRMED = "confirmed"
TO_CONFIRM = "to_confirm"
STATUSES = (CONFIRMED, TO_CONFIRM)
PENDING_TEXT = "市に確認中"  # what a citizen reads instead of an unconfirmed fact

# The facts a contact may have, in the order a card shows them, with the label a citizen reads.
FACT_LABELS: dict[str, str] = {
    "phone": "電話",
    "address": "場所",
    "hours": "受付時間",
    "web": "ホームページ",
    "email": "メール",
}
_CONTACT_KEYS = {"id", "name", "handles", *FACT_LABELS}
_FACT_KEYS = {"value", "status", "source", "checked", "note"}
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Japanese phone numbers as the city writes them: 042-387-9923, 0120-123-456, 03-1234-5678
_PHONE_RE = re.compile(r"^0\d{1,4}-\d{1,4}-\d{3,4}$")
_URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_EMAIL_RE = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
PLACEHOLDER_RE = re.compile(r"\{\{\s*contact:([a-z0-9-]+)(?::([a-z]+))?\s*\}\}")


@dataclass(frozen=True, slots=True)
class ContactFact:
    """One fact about a contact. ``value`` may be set for a ``to_confirm`` fact (a lead for staff);
    it is shown only when ``confirmed``."""

    value: str | None
    status: str
    source: str | None = None
    checked: str | None = None
    note: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.status == CONFIRMED and bool(self.value)

    def shown(self) -> str:
        """What a citizen reads: the value if confirmed, else 「市に確認中」."""
        return self.value if self.confirmed and self.value else PENDING_TEXT


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    name: str
    handles: str = ""
    facts: Mapping[str, ContactFact] = field(default_factory=dict)

    def fact(self, name: str) -> ContactFact | None:
        return self.facts.get(name)

    def shown(self, name: str) -> str:
        """The citizen-facing text of one fact (「市に確認中」 when unknown or unconfirmed)."""
        f = self.facts.get(name)
        return f.shown() if f else PENDING_TEXT

    def card(self) -> str:
        """Name, then one line per *confirmed* fact. A card lists what is known; an unconfirmed
        fact is left out here and reads 「市に確認中」 only where that very fact is asked for."""
        lines = [self.name]
        for key, label in FACT_LABELS.items():
            f = self.facts.get(key)
            if f is not None and f.confirmed:
                lines.append(f"{label}：{f.value}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """Only what may be shown: confirmed values with their sources; others as pending."""
        out: dict[str, object] = {"id": self.id, "name": self.name}
        for key, f in self.facts.items():
            out[key] = (
                {"value": f.value, "status": CONFIRMED, "source": f.source}
                if f.confirmed
                else {"value": None, "status": TO_CONFIRM}
            )
        return out


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _parse_fact(key: str, raw: Any, where: str, problems: list[str]) -> ContactFact | None:
    where = f"{where}: {key}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a mapping with value, status and source")
        return None
    n = len(problems)
    for k in sorted(set(raw) - _FACT_KEYS, key=str):
        problems.append(f"{where}: unknown field '{k}' (allowed: {', '.join(sorted(_FACT_KEYS))})")
    status = raw.get("status")
    value = _text(raw.get("value"))
    source = _text(raw.get("source"))
    if status not in STATUSES:
        problems.append(f"{where}: status must be '{CONFIRMED}' or '{TO_CONFIRM}' (got {status!r})")
    if raw.get("value") is not None and value is None:
        problems.append(f"{where}: 'value' must be text")
    if source is not None and not _URL_RE.match(source):
        problems.append(f"{where}: source must be a web address starting with http:// or https://")
    if status == CONFIRMED:
        if value is None:
            problems.append(f"{where}: a confirmed fact needs a 'value'")
        if source is None:
            problems.append(f"{where}: a confirmed fact needs its public 'source' (a web address)")
    if value is not None:
        if key == "phone" and not _PHONE_RE.match(value):
            problems.append(
                f"{where}: '{value}' is not a phone number like 042-387-9923 (half-width, hyphens)"
            )
        elif key == "web" and not _URL_RE.match(value):
            problems.append(f"{where}: '{value}' is not a web address starting with http:// or https://")
        elif key == "email" and not _EMAIL_RE.match(value):
            problems.append(f"{where}: '{value}' is not an e-mail address")
    if len(problems) > n:
        return None
    return ContactFact(value, str(status), source, _text(raw.get("checked")), _text(raw.get("note")))


def parse_contacts(raw: Any, problems: list[str], fname: str = "contacts.yaml") -> list[Contact]:
    """Contacts from the parsed YAML; every problem is appended to ``problems``."""
    if raw is None:
        return []
    items = raw.get("contacts") if isinstance(raw, Mapping) else None
    if not isinstance(items, list):
        problems.append(f"{fname}: expected a mapping with a list 'contacts'")
        return []
    out: list[Contact] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        where = f"{fname}: contact #{i}"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected a mapping with id, name and facts")
            continue
        n = len(problems)
        cid = _text(item.get("id"))
        if cid:
            where = f"{fname}: contact '{cid}'"
            if not _ID_RE.match(cid):
                problems.append(f"{where}: id must be lower-case letters, digits and hyphens")
            elif cid in seen:
                problems.append(f"{where}: duplicate id")
        else:
            problems.append(f"{where}: 'id' is missing or empty")
        for k in sorted(set(item) - _CONTACT_KEYS, key=str):
            problems.append(f"{where}: unknown field '{k}' (allowed: {', '.join(sorted(_CONTACT_KEYS))})")
        name = _text(item.get("name"))
        if not name:
            problems.append(f"{where}: 'name' is missing or empty")
        facts: dict[str, ContactFact] = {}
        for key in FACT_LABELS:
            if key in item:
                f = _parse_fact(key, item[key], where, problems)
                if f is not None:
                    facts[key] = f
        if cid:
            seen.add(cid)
        if len(problems) > n or not cid or not name:
            continue
        out.append(Contact(cid, name, _text(item.get("handles")) or "", facts))
    return out


def render(text: str, contacts: Mapping[str, Contact], where: str, problems: list[str]) -> str:
    """``text`` with its ``{{contact:…}}`` placeholders filled in; unknown ids or facts are problems."""

    def fill(m: re.Match[str]) -> str:
        cid, fact = m.group(1), m.group(2)
        c = contacts.get(cid)
        if c is None:
            problems.append(f"{where}: placeholder {m.group(0)} names no contact in contacts.yaml")
            return m.group(0)
        if fact is None:
            return c.card()
        if fact == "name":
            return c.name
        if fact not in FACT_LABELS:
            problems.append(
                f"{where}: placeholder {m.group(0)}: '{fact}' is not one of name, {', '.join(FACT_LABELS)}"
            )
            return m.group(0)
        return c.shown(fact)

    return PLACEHOLDER_RE.sub(fill, text)
