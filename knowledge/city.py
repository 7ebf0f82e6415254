"""The city the bot serves (knowledge data's ``city.yaml``): its name, and which contacts of
contacts.yaml are its collaboration desk and its switchboard. Nothing about one city is in code,
so another city runs the bot on its own data directory (KYODO_KNOWLEDGE_DIR).

``city.yaml``::

    city:
      name: 小金井市                # how citizens read the city's name (required)
      guideline: 協働推進基本指針   # the guideline's short name in citations (optional)
      desk: community-culture       # contacts.yaml id of the desk for 協働 (optional)
      switchboard: city-hall        # contacts.yaml id whose phone is the main number (optional)

Without the file the bot says 「市」 and 「市の協働の担当窓口」 where it would name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.contacts import Contact, parse_contacts

CITY_FILE = "city.yaml"
_KEYS = {"name", "guideline", "desk", "switchboard"}

DEFAULT_NAME = "市"
DEFAULT_DESK = "市の協働の担当窓口"
DEFAULT_GUIDELINE = "協働の指針"


@dataclass(frozen=True)
class City:
    name: str = DEFAULT_NAME
    guideline: str = DEFAULT_GUIDELINE  # the guideline's short name, as citations read it
    desk: str = DEFAULT_DESK  # the desk's name as citizens read it
    desk_phone: str | None = None  # confirmed numbers only
    switchboard_phone: str | None = None


def _confirmed_phone(contact: Contact | None) -> str | None:
    fact = contact.fact("phone") if contact is not None else None
    return fact.value if fact is not None and fact.confirmed else None


def parse_city(
    raw: Any, contacts: Mapping[str, Contact], problems: list[str], fname: str = CITY_FILE
) -> City:
    """The city from the parsed YAML (None: the defaults); every problem goes to ``problems``."""
    if raw is None:
        return City()
    item = raw.get("city") if isinstance(raw, Mapping) else None
    if not isinstance(item, Mapping):
        problems.append(f"{fname}: expected a mapping 'city' with name, desk, switchboard")
        return City()
    for key in sorted(set(item) - _KEYS):
        problems.append(f"{fname}: unknown key '{key}' (allowed: {', '.join(sorted(_KEYS))})")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{fname}: 'name' is missing (the city's name, e.g. 小金井市)")
        name = DEFAULT_NAME
    guideline = item.get("guideline", DEFAULT_GUIDELINE)
    if not isinstance(guideline, str) or not guideline.strip():
        problems.append(f"{fname}: 'guideline' must be the guideline's short name (e.g. 協働推進基本指針)")
        guideline = DEFAULT_GUIDELINE
    refs: dict[str, Contact | None] = {}
    for key in ("desk", "switchboard"):
        cid = item.get(key)
        if cid is None:
            refs[key] = None
        elif not isinstance(cid, str) or cid not in contacts:
            problems.append(f"{fname}: '{key}': no contact with id {cid!r} in contacts.yaml")
            refs[key] = None
        else:
            refs[key] = contacts[cid]
    desk = refs["desk"]
    return City(
        name=name.strip(),
        guideline=guideline.strip(),
        desk=desk.name if desk is not None else DEFAULT_DESK,
        desk_phone=_confirmed_phone(desk),
        switchboard_phone=_confirmed_phone(refs["switchboard"]),
    )


def read_city(base: Path, read_yaml: Any) -> tuple[City, list[str]]:
    """city.yaml and contacts.yaml of a data directory, without the rest of the knowledge base."""
    problems: list[str] = []
    contacts_path = base / "contacts.yaml"
    contacts = parse_contacts(read_yaml(contacts_path), problems) if contacts_path.exists() else []
    city_path = base / CITY_FILE
    raw = read_yaml(city_path) if city_path.exists() else None
    return parse_city(raw, {c.id: c for c in contacts}, problems), problems
