"""Realistic extraction schemas (the ``data_schema`` of realistic runs), as users write them."""

from __future__ import annotations

from typing import Any

__all__ = ["DATA_SCHEMAS"]

_MONEY = {"type": "number", "minimum": 0}

DATA_SCHEMAS: tuple[dict[str, Any], ...] = (
    {
        "type": "object",
        "title": "Invoice",
        "properties": {
            "invoice_number": {"type": "string", "description": "The invoice number"},
            "invoice_date": {"type": "string", "format": "date"},
            "vendor_name": {"type": "string"},
            "currency": {"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"]},
            "subtotal": _MONEY,
            "tax": {"anyOf": [_MONEY, {"type": "null"}]},
            "total": _MONEY,
            "line_items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string"},
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                        "unit_price": _MONEY,
                    },
                    "required": ["description", "quantity", "unit_price"],
                },
            },
        },
        "required": ["invoice_number", "total"],
    },
    {
        "type": "object",
        "title": "Resume",
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "years_of_experience": {"type": "integer", "minimum": 0, "maximum": 50},
            "skills": {"type": "array", "items": {"type": "string"}},
            "open_to_relocation": {"type": "boolean"},
        },
        "required": ["name"],
    },
    {
        "type": "object",
        "title": "Receipt",
        "properties": {
            "merchant": {"type": "string"},
            "purchased_at": {"type": "string", "format": "date-time"},
            "total": _MONEY,
            "payment_method": {"type": "string", "enum": ["card", "cash", "transfer"]},
        },
        "required": ["merchant", "total"],
    },
    {
        "type": "object",
        "title": "TableRow",
        "properties": {
            "account": {"type": "string"},
            "period": {"type": "string"},
            "amount": {"type": "number"},
            "approved": {"type": ["boolean", "null"]},
        },
        "required": ["account", "amount"],
    },
)
