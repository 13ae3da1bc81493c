"""Pydantic models of the Extraction Runs API, field by field as the published reference has them.

Every model accepts unknown fields (as the real service may add some and the official client
keeps them), and is strict about the types of the fields it knows: a string is never taken for a
number or a boolean. Deprecated fields are marked ``deprecated`` in the model and in the schema.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from ._enums import (
    ChunkMode,
    ExtractMode,
    ExtractModels,
    ExtractRunStatus,
    ExtractTarget,
    ParseModels,
    Priority,
)
from ._types import DateTimeStr, JsonValue, UuidStr

__all__ = [
    "ErrorResponse",
    "ExtractConfig",
    "ExtractRun",
    "File",
    "HTTPValidationError",
    "PaginatedExtractRunsResponse",
    "ValidationError",
]

JsonMap = dict[str, JsonValue]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ExtractConfig(_Model):
    """Configuration parameters for the extraction agent."""

    chunk_mode: ChunkMode | None = Field(
        None, description="The mode to use for chunking the document."
    )
    citation_bbox: StrictBool | None = Field(
        None,
        description=(
            "Whether to fetch citation bounding boxes for the extraction. Only available in "
            "PREMIUM mode. Deprecated: this is now synonymous with cite_sources."
        ),
        deprecated="citation_bbox is now synonymous with cite_sources",
    )
    cite_sources: StrictBool | None = Field(
        None, description="Whether to cite sources for the extraction."
    )
    confidence_scores: StrictBool | None = Field(
        None, description="Whether to fetch confidence scores for the extraction."
    )
    extract_model: ExtractModels | StrictStr | None = Field(
        None,
        description=(
            "The extract model to use for data extraction. If not provided, uses the default "
            "for the extraction mode."
        ),
    )
    extraction_mode: ExtractMode | None = Field(
        None, description="The extraction mode specified (FAST, BALANCED, MULTIMODAL, PREMIUM)."
    )
    extraction_target: ExtractTarget | None = Field(
        None, description="The extraction target specified."
    )
    high_resolution_mode: StrictBool | None = Field(
        None, description="Whether to use high resolution mode for the extraction."
    )
    invalidate_cache: StrictBool | None = Field(
        None, description="Whether to invalidate the cache for the extraction."
    )
    multimodal_fast_mode: StrictBool | None = Field(
        None,
        description="DEPRECATED: Whether to use fast mode for multimodal extraction.",
        deprecated="multimodal_fast_mode is deprecated",
    )
    num_pages_context: Annotated[StrictInt, Field(ge=1)] | None = Field(
        None, description="Number of pages to pass as context on long document extraction."
    )
    page_range: StrictStr | None = Field(
        None,
        description=(
            "Comma-separated list of page numbers or ranges to extract from (1-based, e.g., "
            "'1,3,5-7,9' or '1-3,8-10')."
        ),
    )
    parse_model: ParseModels | None = Field(None, description="Public model names.")
    priority: Priority | None = Field(
        None,
        description=(
            "The priority for the request. This field may be ignored or overwritten depending "
            "on the organization tier."
        ),
    )
    system_prompt: StrictStr | None = Field(
        None, description="The system prompt to use for the extraction."
    )
    use_reasoning: StrictBool | None = Field(
        None, description="Whether to use reasoning for the extraction."
    )


class File(_Model):
    """Schema for a file."""

    id: UuidStr = Field(description="Unique identifier")
    name: StrictStr
    project_id: UuidStr = Field(description="The ID of the project that the file belongs to")
    created_at: DateTimeStr | None = Field(None, description="Creation datetime")
    data_source_id: UuidStr | None = Field(
        None, description="The ID of the data source that the file belongs to"
    )
    expires_at: DateTimeStr | None = Field(
        None,
        description="The expiration date for the file. Files past this date can be deleted.",
    )
    external_file_id: StrictStr | None = Field(
        None, description="The ID of the file in the external system"
    )
    file_size: Annotated[StrictInt, Field(ge=0)] | None = Field(
        None, description="Size of the file in bytes"
    )
    file_type: Annotated[StrictStr, Field(min_length=1, max_length=3000)] | None = Field(
        None, description="File type (e.g. pdf, docx, etc.)"
    )
    last_modified_at: DateTimeStr | None = Field(
        None, description="The last modified time of the file"
    )
    permission_info: JsonMap | None = Field(None, description="Permission information for the file")
    purpose: StrictStr | None = Field(
        None,
        description=(
            "The intended purpose of the file (e.g., 'user_data', 'parse', 'extract', 'split', "
            "'classify')"
        ),
    )
    resource_info: JsonMap | None = Field(None, description="Resource information for the file")
    updated_at: DateTimeStr | None = Field(None, description="Update datetime")


class ExtractRun(_Model):
    """Schema for an extraction run."""

    id: UuidStr = Field(description="The id of the extraction run")
    config: ExtractConfig = Field(description="The config used for extraction")
    data_schema: JsonMap = Field(description="The schema used for extraction")
    extraction_agent_id: UuidStr = Field(description="The id of the extraction agent")
    from_ui: StrictBool = Field(description="Whether this extraction run was triggered from the UI")
    project_id: UuidStr = Field(
        description="The id of the project that the extraction run belongs to"
    )
    status: ExtractRunStatus = Field(description="The status of the extraction run")
    created_at: DateTimeStr | None = Field(None, description="Creation datetime")
    data: JsonMap | list[JsonMap] | None = Field(
        None, description="The data extracted from the file"
    )
    error: StrictStr | None = Field(None, description="The error that occurred during extraction")
    extraction_metadata: JsonMap | None = Field(
        None, description="The metadata extracted from the file"
    )
    file: File | None = Field(
        None,
        description="Schema for a file.",
        deprecated="ExtractRun.file is deprecated; use file_id",
    )
    file_id: UuidStr | None = Field(
        None, description="The id of the file that the extract was extracted from"
    )
    job_id: UuidStr | None = Field(
        None, description="The id of the job that the extraction run belongs to"
    )
    updated_at: DateTimeStr | None = Field(None, description="Update datetime")


class PaginatedExtractRunsResponse(_Model):
    """One page of ``GET /api/v1/extraction/runs``: the runs and where the page sits."""

    items: list[ExtractRun] = Field(description="The list of extraction runs")
    total: Annotated[StrictInt, Field(ge=0)] = Field(
        description="The total number of extraction runs"
    )
    skip: Annotated[StrictInt, Field(ge=0)] = Field(description="The number of runs skipped")
    limit: Annotated[StrictInt, Field(ge=0)] = Field(
        description="The maximum number of runs returned"
    )


class ValidationError(_Model):
    """One entry of a FastAPI 422 body."""

    loc: list[StrictStr | StrictInt]
    msg: StrictStr
    type: StrictStr
    input: Any = None
    ctx: dict[str, Any] | None = None


class HTTPValidationError(_Model):
    """FastAPI's 422 body: ``{"detail": [ValidationError, ...]}``."""

    detail: list[ValidationError]


class ErrorResponse(_Model):
    """The body of every other error: ``{"detail": "Extraction run not found"}``."""

    detail: StrictStr
