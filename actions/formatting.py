"""Dates, amounts and account numbers as a customer of each language expects them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from babel.dates import format_date
from babel.numbers import format_currency

LOCALES = {"en": "en_US", "de": "de_DE", "ru": "ru_RU", "id": "id_ID"}


def _locale(language: Optional[str]) -> str:
    return LOCALES.get(language or "en", LOCALES["en"])


def local_date(value: Optional[date], language: Optional[str]) -> str:
    return format_date(value, format="long", locale=_locale(language)) if value else "-"


def local_amount(amount: Decimal, currency: str, language: Optional[str]) -> str:
    return format_currency(amount, currency, locale=_locale(language))


def masked_account(number: str) -> str:
    """Only the last four digits: enough to recognise, useless to steal."""
    return f"••••{number[-4:]}"
