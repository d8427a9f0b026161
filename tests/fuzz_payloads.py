"""Random and malformed payloads for every socket event, derived from the event's marshmallow schema.

A payload is mostly valid-looking (real ids, fields of the right type) with one thing wrong, so
that it gets past the first check and reaches the next one; some are valid outright, some are not
objects at all. `PayloadFactory.make(event)` returns (kind, payload); the kind names the generator
for the failure message. Seeded: the same seed gives the same payloads.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, validate

from pinboard import schemas
from pinboard.realtime import OPERATIONS, message_size

# Characters that look like nothing, turn text around, or are not characters at all.
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
BIDI = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c"]
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\r", "\u2028"]
STRANGE_TEXT = [
    "",
    " ",
    "\t\n ",
    "\u3000",
    "null",
    "undefined",
    "0",
    "true",
    "{}",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE cards; --",
    "%s%n%x",
    "${7*7}{{7*7}}",
    "../../etc/passwd",
    "\u202egnp.exe",
    "a\u0301\u0301\u0301\u0301",
    "👩‍👩‍👧‍👦",
    "𝕳𝖊𝖑𝖑𝖔",
    "Z̷̡̛͔̓a̸͍͐l̵̰͠g̶̱̕o̷̯͝",
    "ﷺ" * 3,
    "\U0010ffff",
]
GOOD_TEXT = ["Idee", "Überlegung – „Augenhöhe“ 😀", "Zeile 1\nZeile 2", "مرحبا", "שלום", "漢字", "a" * 120]
WRONG_TYPES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    -0.0,
    1e308,
    float("inf"),
    float("nan"),
    2**31,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    10**40,
    "1",
    "",
    [],
    [1],
    {},
    {"id": 1},
    [[[]]],
]
UNKNOWN_KEYS = ["unknown", "__proto__", "constructor", "", " ", "id", "seq", "ok", "\ud800", "k" * 300, "🔑"]
NON_OBJECTS: list[Any] = [
    None,
    True,
    0,
    -1,
    3.14,
    "card",
    "",
    [],
    [{"board_id": 1}],
    ["sync", {}],
    "\ud800",
    b"\x00\xff\xfe",
]


@dataclass
class IdPool:
    """The ids the payloads pick from: this workshop's and another workshop's (always wrong)."""

    boards: list[int] = field(default_factory=list)
    clusters: list[int] = field(default_factory=list)
    cards: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)  # deleted clusters and cards
    foreign: dict[str, list[int]] = field(default_factory=dict)  # by field name, e.g. "card_id"
    seq: int = 0

    def of(self, name: str) -> list[int]:
        pools = {"board_id": self.boards, "cluster_id": self.clusters, "card_id": self.cards}
        return pools.get(name.removeprefix("onto_"), [])


def weird_string(rng: random.Random, max_length: int = 20) -> str:
    """A short string made of the characters that most often break text handling."""
    alphabet = ZERO_WIDTH + BIDI + LONE_SURROGATES + CONTROL + list("aZ ü😀\n\t\\\"'<>&")
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, max_length)))
    # A high and a low surrogate side by side are one character once sent as JSON: join them
    # here too, so that the test and the server measure the same string.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


def text_values(rng: random.Random, limit: int) -> list[str]:
    """Text at, around and past `limit` characters, and text that is invisible or reversed."""
    return [
        "Idee " + str(rng.randint(1, 999)),
        "Überlegung – „Augenhöhe“ 😀",
        "a" * limit,
        "a" * (limit + 1),
        " " * 5 + "b" * limit + "\n",
        "😀" * limit,
        "😀" * (limit + 1),
        "ü" * limit,
        rng.choice(ZERO_WIDTH) * rng.randint(1, 5),
        rng.choice(BIDI) + "Text" + rng.choice(BIDI),
        "Zeile 1\nZeile 2\tTab",
        "x" + rng.choice(LONE_SURROGATES) + "y",
        "x" + rng.choice(CONTROL) + "y",
        rng.choice(STRANGE_TEXT),
        weird_string(rng),
    ]


def _range_of(field_: fields.Field) -> tuple[int, int] | None:
    for validator in field_.validators:
        if isinstance(validator, validate.Range) and validator.min is not None and validator.max is not None:
            return int(validator.min), int(validator.max)
    return None


def _choices_of(field_: fields.Field) -> list[Any] | None:
    for validator in field_.validators:
        if isinstance(validator, validate.OneOf):
            return list(validator.choices)
    return None


class PayloadFactory:
    def __init__(self, rng: random.Random, ids: IdPool, max_message_bytes: int) -> None:
        self.rng = rng
        self.ids = ids
        self.max_message_bytes = max_message_bytes
        self.generators: list[tuple[str, float, Callable[[str], Any]]] = [
            ("plausible", 30, self.plausible),
            ("one field wrong", 25, self.one_field_wrong),
            ("field missing", 6, self.field_missing),
            ("unknown field", 6, self.unknown_field),
            ("not an object", 8, self.not_an_object),
            ("deep nesting", 5, self.deep_nesting),
            ("at the size limit", 4, self.at_size_limit),
            ("one byte past the limit", 4, self.past_size_limit),
            ("huge string", 3, self.huge_string),
            ("wrong id", 9, self.wrong_id),
        ]

    def make(self, event: str) -> tuple[str, Any]:
        names, weights = [g[0] for g in self.generators], [g[1] for g in self.generators]
        index = self.rng.choices(range(len(names)), weights)[0]
        return names[index], self.generators[index][2](event)

    # ---- building blocks ---------------------------------------------------------------------

    @staticmethod
    def schema(event: str) -> Schema:
        return schemas.SyncRequest() if event == "sync" else OPERATIONS[event].schema

    def value(self, name: str, field_: fields.Field, valid: bool) -> Any:
        """A value for one field: valid, or of the right kind but likely wrong (out of range,
        too long, strange characters)."""
        rng = self.rng
        if isinstance(field_, fields.List):  # card_ids: card_id values; clusters: cluster names
            item = name[:-1] if name.endswith("s") else name
            length = rng.choice([1, 2, 3] if valid else [0, 1, 2, 60])
            return [self.value(item, field_.inner, valid) for _ in range(length)]
        if isinstance(field_, schemas.Text):
            return rng.choice(GOOD_TEXT if valid else text_values(rng, field_.max_length))
        if isinstance(field_, fields.Boolean):
            return rng.choice([True, False])
        if isinstance(field_, fields.Date):
            good = ["2017-06-14", None]
            return rng.choice(
                good if valid else [*good, "2024-02-30", "14.06.2017", "0000-00-00", "9999-12-31"]
            )
        choices = _choices_of(field_)
        if choices is not None:
            return rng.choice(choices if valid else [*choices, "", "YELLOW", "purple", "bullet ", None])
        if name == "client_id":
            wrong = ["short", "a" * 64, "a" * 65, "bad id!"]
            return uuid.uuid4().hex if valid or rng.random() < 0.3 else rng.choice(wrong)
        if isinstance(field_, fields.Integer):
            return self.integer(name, field_, valid)
        if isinstance(field_, fields.String):
            return rng.choice(["x", "" if valid else weird_string(rng)])
        return rng.choice(WRONG_TYPES)

    def integer(self, name: str, field_: fields.Field, valid: bool) -> Any:
        rng = self.rng
        pool = self.ids.of(name)
        if valid and name == "cluster_id" and rng.random() < 0.5:
            return None  # the unsorted area, on whichever board
        if pool and (valid or rng.random() < 0.8):
            return rng.choice(pool)
        if name == "since":
            seq = self.ids.seq
            return rng.choice([0, seq, max(seq - 3, 0)] + ([] if valid else [seq + 1, 2**62, 2**62 + 1, -1]))
        bounds = _range_of(field_)
        if bounds is None:
            return rng.randint(-5, 5)
        low, high = bounds
        if valid:
            return rng.choice([low, high, rng.randint(low, min(high, low + 10))])
        return rng.choice([low, high, low - 1, high + 1, (low + high) // 2, low + 1])

    def plausible(self, event: str) -> dict[str, Any]:
        """Required fields always, optional ones half the time, each with a plausible value."""
        payload = {}
        valid = self.rng.random() < 0.7
        for name, field_ in self.schema(event).fields.items():
            if field_.required or self.rng.random() < 0.5:
                payload[name] = self.value(name, field_, valid)
        return payload

    # ---- generators ----------------------------------------------------------------------------

    def one_field_wrong(self, event: str) -> Any:
        payload = self.plausible(event)
        names = list(self.schema(event).fields)
        if not names:
            return self.unknown_field(event)
        name = self.rng.choice(names)
        payload[name] = self.rng.choice([*WRONG_TYPES, weird_string(self.rng), self.rng.choice(STRANGE_TEXT)])
        return payload

    def field_missing(self, event: str) -> Any:
        payload = self.plausible(event)
        if payload:
            del payload[self.rng.choice(list(payload))]
        return payload

    def unknown_field(self, event: str) -> Any:
        payload = self.plausible(event)
        payload[self.rng.choice(UNKNOWN_KEYS)] = self.rng.choice(WRONG_TYPES)
        return payload

    def not_an_object(self, event: str) -> Any:
        return self.rng.choice(NON_OBJECTS)

    def deep_nesting(self, event: str) -> Any:
        """A field (or the whole payload) nested 2 to 400 levels deep in lists and objects."""
        depth = self.rng.choice([2, 10, 100, 400])
        value: Any = self.rng.choice([1, "x", None])
        for level in range(depth):
            value = [value] if level % 2 else {"a": value}
        if self.rng.random() < 0.3:
            return value
        payload = self.plausible(event)
        names = list(self.schema(event).fields) or ["deep"]
        payload[self.rng.choice(names)] = value
        return payload

    def sized(self, event: str, size: int) -> Any:
        """A plausible payload whose compact UTF-8 JSON is exactly `size` bytes, padded in a
        text field where the event has one (else in an unknown field)."""
        payload = self.plausible(event)
        texts = [n for n, f in self.schema(event).fields.items() if isinstance(f, fields.String)]
        key = self.rng.choice(texts) if texts else "padding"
        filler = self.rng.choice(["a", "ü", "😀"])
        payload[key] = ""
        if message_size(payload) > size:
            payload = {key: ""}
        room = size - message_size(payload)
        payload[key] = filler * (room // len(filler.encode())) + "a" * (room % len(filler.encode()))
        assert message_size(payload) == size, (message_size(payload), size)
        return payload

    def at_size_limit(self, event: str) -> Any:
        return self.sized(event, self.max_message_bytes)

    def past_size_limit(self, event: str) -> Any:
        return self.sized(event, self.max_message_bytes + 1)

    def huge_string(self, event: str) -> Any:
        payload = self.plausible(event)
        names = list(self.schema(event).fields) or ["huge"]
        # At most 60 000 characters: even as JSON escapes ("😀" is 12 bytes) that stays under the
        # 1 MB Engine.IO buffer, beyond which the connection is dropped rather than answered.
        length = self.rng.choice([5_000, 60_000])
        payload[self.rng.choice(names)] = self.rng.choice(string.ascii_letters + "😀\u200b") * length
        return payload

    def wrong_id(self, event: str) -> Any:
        """Ids of another workshop, of nothing, negative, huge, or not integers at all."""
        payload = self.plausible(event)
        names = [n for n in self.schema(event).fields if n.endswith("_id")] or list(payload) or ["board_id"]
        name = self.rng.choice(names)
        candidates = [0, -1, -(2**31), 2**31 - 1, 2**31, 2**63, 10**30, 1.0, "1", True, None]
        candidates += self.ids.foreign.get(name.removeprefix("onto_"), []) * 4 + self.ids.deleted
        payload[name] = self.rng.choice(candidates)
        return payload
