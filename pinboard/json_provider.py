"""Flask's JSON, with two differences: a body nested too deeply for the parser is invalid JSON,
and keys keep their order (Flask 3 sorts them unless told not to, which costs a snapshot of
thousands of cards half of its encoding time; JSON_SORT_KEYS no longer tells it).

The standard parser raises RecursionError on deep nesting (e.g. 100 000 `[`), which
`request.get_json(silent=True)` does not catch: the request would end in a 500. As a ValueError
it is what any other malformed body is, and the API answers `400 invalid`.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class JSONProvider(DefaultJSONProvider):
    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None
