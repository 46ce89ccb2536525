"""A setting's value as text (how it is stored) and as a Python value (how it is used).

`value_clean` is the one check every entry point shares: it turns what an operator typed or
sent into the stored text, or raises a ValidationError on the field "value".
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from portal.validation import invalid
from regions.models.configuration import SettingType

MAX_STRING_LENGTH = 4096
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


class Typed(Protocol):
    """What a value needs to know of its setting (a Setting row or a SettingDefinition)."""

    name: str
    type: str
    choices: Any
    min_value: float | None
    max_value: float | None


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _check_range(setting: Typed, number: float) -> None:
    low, high = setting.min_value, setting.max_value
    if low is not None and number < low:
        raise invalid("value", f"{setting.name} must be at least {_number_text(low)}.", "min")
    if high is not None and number > high:
        raise invalid("value", f"{setting.name} must be at most {_number_text(high)}.", "max")


def _clean_integer(setting: Typed, raw: Any) -> str:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise invalid("value", f"{setting.name} takes a whole number, such as 10.")
    try:
        number = int(raw.strip()) if isinstance(raw, str) else int(raw)
    except (TypeError, ValueError, OverflowError) as error:
        raise invalid("value", f"{setting.name} takes a whole number, such as 10.") from error
    _check_range(setting, number)
    return str(number)


def _clean_float(setting: Typed, raw: Any) -> str:
    if isinstance(raw, bool):
        raise invalid("value", f"{setting.name} takes a number, such as 1.5.")
    try:
        number = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError) as error:
        raise invalid("value", f"{setting.name} takes a number, such as 1.5.") from error
    if not math.isfinite(number):
        raise invalid("value", f"{setting.name} takes a finite number.")
    _check_range(setting, number)
    return repr(number)


def _clean_boolean(setting: Typed, raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    word = str(raw).strip().lower() if isinstance(raw, str | int) else None
    if word in TRUE_WORDS:
        return "true"
    if word in FALSE_WORDS:
        return "false"
    raise invalid("value", f"{setting.name} takes true or false.")


def _clean_choice(setting: Typed, raw: Any) -> str:
    choices = list(setting.choices or [])
    word = raw.strip() if isinstance(raw, str) else None
    for choice in choices:
        if word is not None and word.lower() == choice.lower():
            return choice
    raise invalid("value", f"{setting.name} takes one of: {', '.join(choices)}.", "choice")


def _clean_string(setting: Typed, raw: Any) -> str:
    if not isinstance(raw, str):
        raise invalid("value", f"{setting.name} takes text.")
    text = raw.strip()
    if len(text) > MAX_STRING_LENGTH:
        raise invalid("value", f"Ensure this value has at most {MAX_STRING_LENGTH} characters.")
    if "\x00" in text:
        raise invalid("value", "Null characters are not allowed.")
    return text


_CLEANERS = {
    SettingType.INTEGER: _clean_integer,
    SettingType.FLOAT: _clean_float,
    SettingType.BOOLEAN: _clean_boolean,
    SettingType.CHOICE: _clean_choice,
    SettingType.STRING: _clean_string,
}


def value_clean(setting: Typed, raw: Any) -> str:
    """RAW (text, number or bool) as the text to store; ValidationError on "value" if bad."""
    if raw is None:
        raise invalid("value", "This field is required.", "required")
    return _CLEANERS.get(setting.type, _clean_string)(setting, raw)


def value_parse(setting: Typed, text: str) -> Any:
    """Stored TEXT as a Python value of the setting's type."""
    if setting.type == SettingType.INTEGER:
        return int(text)
    if setting.type == SettingType.FLOAT:
        return float(text)
    if setting.type == SettingType.BOOLEAN:
        return text.strip().lower() in TRUE_WORDS
    return text
