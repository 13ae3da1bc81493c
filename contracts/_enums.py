"""The enumerations of the contract, as named types (their names are the published ones)."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "ChunkMode",
    "ExtractMode",
    "ExtractModels",
    "ExtractRunStatus",
    "ExtractTarget",
    "ParseModels",
    "Priority",
]


class ExtractModels(str, Enum):
    """Extract model options (``ExtractConfig.extract_model`` also accepts any other string)."""

    OPENAI_GPT_4_1 = "openai-gpt-4-1"
    OPENAI_GPT_4_1_MINI = "openai-gpt-4-1-mini"
    OPENAI_GPT_4_1_NANO = "openai-gpt-4-1-nano"
    OPENAI_GPT_5 = "openai-gpt-5"
    OPENAI_GPT_5_MINI = "openai-gpt-5-mini"
    GEMINI_2_0_FLASH = "gemini-2.0-flash"
    GEMINI_2_5_FLASH = "gemini-2.5-flash"
    GEMINI_2_5_FLASH_LITE = "gemini-2.5-flash-lite"
    GEMINI_2_5_PRO = "gemini-2.5-pro"
    OPENAI_GPT_4O = "openai-gpt-4o"
    OPENAI_GPT_4O_MINI = "openai-gpt-4o-mini"


class ParseModels(str, Enum):
    """Public model names (``ExtractConfig.parse_model``)."""

    OPENAI_GPT_4O = "openai-gpt-4o"
    OPENAI_GPT_4O_MINI = "openai-gpt-4o-mini"
    OPENAI_GPT_4_1 = "openai-gpt-4-1"
    OPENAI_GPT_4_1_MINI = "openai-gpt-4-1-mini"
    OPENAI_GPT_4_1_NANO = "openai-gpt-4-1-nano"
    OPENAI_GPT_5 = "openai-gpt-5"
    OPENAI_GPT_5_MINI = "openai-gpt-5-mini"
    OPENAI_GPT_5_NANO = "openai-gpt-5-nano"
    OPENAI_TEXT_EMBEDDING_3_LARGE = "openai-text-embedding-3-large"
    OPENAI_TEXT_EMBEDDING_3_SMALL = "openai-text-embedding-3-small"
    OPENAI_WHISPER_1 = "openai-whisper-1"
    ANTHROPIC_SONNET_3_5 = "anthropic-sonnet-3.5"
    ANTHROPIC_SONNET_3_5_V2 = "anthropic-sonnet-3.5-v2"
    ANTHROPIC_SONNET_3_7 = "anthropic-sonnet-3.7"
    ANTHROPIC_SONNET_4_0 = "anthropic-sonnet-4.0"
    ANTHROPIC_SONNET_4_5 = "anthropic-sonnet-4.5"
    ANTHROPIC_HAIKU_3_5 = "anthropic-haiku-3.5"
    ANTHROPIC_HAIKU_4_5 = "anthropic-haiku-4.5"
    GEMINI_2_5_FLASH = "gemini-2.5-flash"
    GEMINI_3_0_PRO = "gemini-3.0-pro"
    GEMINI_2_5_PRO = "gemini-2.5-pro"
    GEMINI_2_0_FLASH = "gemini-2.0-flash"
    GEMINI_2_0_FLASH_LITE = "gemini-2.0-flash-lite"
    GEMINI_2_5_FLASH_LITE = "gemini-2.5-flash-lite"
    GEMINI_1_5_FLASH = "gemini-1.5-flash"
    GEMINI_1_5_PRO = "gemini-1.5-pro"


class ExtractMode(str, Enum):
    """The extraction mode (FAST, BALANCED, MULTIMODAL, PREMIUM)."""

    FAST = "FAST"
    BALANCED = "BALANCED"
    PREMIUM = "PREMIUM"
    MULTIMODAL = "MULTIMODAL"


class ExtractTarget(str, Enum):
    """The extraction target: one result per document, per page or per table row."""

    PER_DOC = "PER_DOC"
    PER_PAGE = "PER_PAGE"
    PER_TABLE_ROW = "PER_TABLE_ROW"


class ChunkMode(str, Enum):
    """The mode to use for chunking the document."""

    PAGE = "PAGE"
    SECTION = "SECTION"


class Priority(str, Enum):
    """The priority for the request."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ExtractRunStatus(str, Enum):
    """The status of an extraction run."""

    CREATED = "CREATED"
    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
