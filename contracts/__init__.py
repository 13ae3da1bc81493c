"""The contract of the LlamaCloud Extraction Runs API: models, operations, schemas, validation.

One source of truth for the rest of the toolkit. The pydantic models follow the published
reference field by field; the four operations are described as data in :data:`OPERATIONS`; the
JSON Schemas and the OpenAPI 3.1 document are generated from both and committed beside this file.

>>> from contracts import validate
>>> [str(v) for v in validate({"items": [], "total": 0, "skip": 0})]
['$.limit: required field is missing']

:func:`validating_transport` and :func:`async_validating_transport` (from
:mod:`contracts.traffic`, loaded on first use) judge a client's real exchanges with the API.
"""

import importlib
import typing

from ._bounded_json import MAX_DEPTH, MAX_INT_DIGITS, load_json
from ._coverage import ApiCoverage
from ._enums import (
    ChunkMode,
    ExtractMode,
    ExtractModels,
    ExtractRunStatus,
    ExtractTarget,
    ParseModels,
    Priority,
)
from ._errors import ContractError, ContractViolation, UnknownPayloadKind, UnreadableJson
from ._formats import datetime_instant, is_datetime, is_uuid
from ._models import (
    ErrorResponse,
    ExtractConfig,
    ExtractRun,
    File,
    HTTPValidationError,
    PaginatedExtractRunsResponse,
    ValidationError,
)
from ._operations import (
    API_PREFIX,
    DEFAULT_BASE_URL,
    OPERATIONS,
    Link,
    Operation,
    Parameter,
    operation,
    path_pattern,
    resolve_operation,
)
from ._schemas import (
    SCHEMA_NAMES,
    build_artifacts,
    json_schema,
    openapi_document,
    write_artifacts,
)
from ._secrets import REDACTED, SECRET_HEADERS, is_secret_header, redact_headers
from ._validate import KINDS, Violation, assert_valid, detect_kind, validate

if typing.TYPE_CHECKING:
    from .traffic import async_validating_transport, validating_transport

__all__ = [
    "API_PREFIX",
    "DEFAULT_BASE_URL",
    "KINDS",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "OPERATIONS",
    "REDACTED",
    "SCHEMA_NAMES",
    "SECRET_HEADERS",
    "ApiCoverage",
    "ChunkMode",
    "ContractError",
    "ContractViolation",
    "ErrorResponse",
    "ExtractConfig",
    "ExtractMode",
    "ExtractModels",
    "ExtractRun",
    "ExtractRunStatus",
    "ExtractTarget",
    "File",
    "HTTPValidationError",
    "Link",
    "Operation",
    "PaginatedExtractRunsResponse",
    "Parameter",
    "ParseModels",
    "Priority",
    "UnknownPayloadKind",
    "UnreadableJson",
    "ValidationError",
    "Violation",
    "assert_valid",
    "async_validating_transport",
    "build_artifacts",
    "datetime_instant",
    "detect_kind",
    "is_datetime",
    "is_secret_header",
    "is_uuid",
    "json_schema",
    "load_json",
    "openapi_document",
    "operation",
    "path_pattern",
    "redact_headers",
    "resolve_operation",
    "validate",
    "validating_transport",
    "write_artifacts",
]

_TRAFFIC = ("async_validating_transport", "validating_transport")


def __getattr__(name: str) -> typing.Any:  # the transports load httpx and the judge: on use
    if name in _TRAFFIC:
        value = getattr(importlib.import_module(f"{__name__}.traffic"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
