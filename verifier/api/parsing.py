"""Request parsing that refuses hostile bodies with a 400 instead of failing with a 500."""

from __future__ import annotations

import json
from typing import Any

import flask
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser


class HardenedParser(FlaskParser):
    """JSON nested too deep or numbers too long to convert are malformed input, not a crash."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not (req.mimetype and core.is_json(req.mimetype)):
            return core.missing
        try:
            return core.parse_json(req.get_data(cache=True))
        except (RecursionError, ValueError) as error:
            if isinstance(error, json.JSONDecodeError | UnicodeDecodeError):
                raise
            raise json.JSONDecodeError("unreadable JSON", "", 0) from None


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    """flask-smorest's Blueprint reading bodies with the hardened parser."""

    ARGUMENTS_PARSER = HardenedParser()
