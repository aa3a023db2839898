"""Latch-style `__metadata__:` YAML in docstrings, as the Latch SDK writes it.

The workflow docstring carries display_name, author, links, license, tags and a `flow:`
layout; each parameter's text under `Args:` carries its own block (display_name,
`_tmp.hidden`, `_tmp.section_title`, `appearance: {type, placeholder, comment, detail,
file_type}`, rules, ...). flytekit keeps both inside the descriptions it registers, so
they are split off here and never shown as text.

Latch writes `null` for what is unset, so a null means "not set". Keys latchlike does not
act on (Latch's batch table, Registry samplesheets, the SDK's pickled interface, a typo)
are kept as notes for the workflow page rather than refused: a docstring the SDK wrote
must register. What cannot be right is still refused: a regex that does not compile, an
appearance that does not exist, a layout that is not a layout.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ui_gen.errors import FormSpecError
from ui_gen.flow import FlowElement

_MARKER = re.compile(r"^[ \t]*__metadata__:[ \t]*$", re.MULTILINE)


def _without_nulls(data: Any) -> Any:
    return {key: value for key, value in data.items() if value is not None} if isinstance(data, dict) else data


class _Block(BaseModel):
    """A metadata mapping: nulls are dropped; keys not declared here are kept as notes."""

    model_config = ConfigDict(frozen=True, extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        return _without_nulls(data)

    _unused: tuple[str, ...] = ()
    """Declared keys latchlike accepts but does not act on."""

    def notes(self) -> tuple[str, ...]:
        """What this block says that latchlike ignores: `key = value (why)` lines."""
        declared = self.model_dump(include=set(self._unused), exclude_defaults=True)
        extra = self.model_extra or {}
        return tuple(
            f"{key} = {_short(value)} ({_WHY.get(key, 'not a key latchlike knows')})"
            for key, value in {**declared, **extra}.items()
        )


_WHY = {
    "batch_table_column": "Latch's batch table; not used here",
    "multiselect": "Latch's option names; here the Enum's values are the choices",
    "samplesheet": "Latch Registry samplesheets; not used here",
    "allowed_tables": "Latch Registry tables; not used here",
    "custom_ingestion": "Latch Registry ingestion; not used here",
    "no_standard_bulk_execution": "Latch's bulk runs; not used here",
    "about_page_path": "Latch's About page; the docstring is shown instead",
    "python_interface": "the Latch SDK's pickled interface; not used here",
    "python_outputs": "the Latch SDK's pickled interface; not used here",
    "git_commit_hash": "recorded by the Latch SDK",
    "git_is_dirty": "recorded by the Latch SDK",
    "unpack_records": "the Latch SDK's Nextflow option; not used here",
}


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Rule(BaseModel):
    """A regular expression a text value must match in full, and what to say when not."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    regex: str
    message: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"regex {value!r} does not compile: {error}") from None
        return value


class ParameterMetadata(_Block):
    display_name: str = ""
    description: str = ""
    """Used when the docstring gives the parameter no text of its own."""
    hidden: bool = False
    section_title: str = ""
    placeholder: str = ""
    comment: str = ""
    detail: str = ""
    appearance: Literal["line", "paragraph", "multiselect"] = "line"
    rules: tuple[Rule, ...] = ()
    output: bool = False
    batch_table_column: bool = False
    allow_dir: bool = True
    allow_file: bool = True
    file_type: Literal["ANY", "FILE", "DIR", "NONE"] = "ANY"
    """Latch's file picker filter; here the parameter's type already says file or directory."""
    multiselect: dict[str, Any] = Field(default_factory=dict)
    samplesheet: bool = False
    allowed_tables: tuple[str, ...] = ()
    custom_ingestion: str = ""

    _unused = ("batch_table_column", "multiselect", "samplesheet", "allowed_tables", "custom_ingestion")

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        """Latch nests the widget's options under `appearance:` and hidden/section_title
        under `_tmp:`; both are read as if written at the top."""
        if not isinstance(data, dict):
            return data
        data = _without_nulls(data)
        nested: dict[str, Any] = {}
        if isinstance(data.get("appearance"), dict):
            appearance = _without_nulls(data.pop("appearance"))
            if "type" in appearance:
                data["appearance"] = appearance.pop("type")
            nested |= appearance
        if isinstance(data.get("_tmp"), dict):
            nested |= _without_nulls(data.pop("_tmp"))
        return {**nested, **data}

    @field_validator("allowed_tables", mode="before")
    @classmethod
    def _table_ids(cls, value: Any) -> Any:
        """The SDK writes Registry table ids as text; hand-written YAML may use numbers."""
        return [str(item) for item in value] if isinstance(value, list) else value


class Author(_Block):
    name: str = ""
    email: str = ""
    github: str = ""


class WorkflowMetadata(_Block):
    display_name: str = ""
    author: Author = Field(default_factory=Author)
    documentation: str = ""
    repository: str = ""
    wiki_url: str = ""
    video_tutorial: str = ""
    license: str = ""
    tags: tuple[str, ...] = ()
    flow: tuple[FlowElement, ...] = ()
    no_standard_bulk_execution: bool = False
    about_page_path: str = ""
    non_standard: dict[str, Any] = Field(default_factory=dict, alias="_non_standard")
    """The SDK's own keys (`python_interface`, `python_outputs`: its pickled interface);
    it also copies them to the top level, where they land among the extra keys."""
    parameters: dict[str, ParameterMetadata] = Field(default_factory=dict)

    _unused = ("no_standard_bulk_execution", "about_page_path")

    @field_validator("license", mode="before")
    @classmethod
    def _license_id(cls, value: Any) -> Any:
        """Latch writes `license: {id: MIT}`."""
        return value.get("id") or "" if isinstance(value, dict) else value

    def notes(self) -> tuple[str, ...]:
        """The workflow's ignored keys, then its author's; the SDK's copies under
        `_non_standard` are not repeated."""
        return (*super().notes(), *(f"author.{note}" for note in self.author.notes()))


def split_metadata(text: str, where: str = "the __metadata__ block") -> tuple[str, dict[str, Any]]:
    """(the text without its `__metadata__:` block, the block parsed as YAML); `where` names
    the block in errors."""
    match = _MARKER.search(text)
    if match is None:
        return text.strip(), {}
    body = textwrap.dedent(text[match.end() :].strip("\n"))
    try:
        parsed = yaml.safe_load(body) if body.strip() else {}
    # Not only YAMLError: PyYAML's constructors raise ValueError for `2024-13-45` or
    # `!!int abc`, and deep nesting raises RecursionError. All of it is the author's input.
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, RecursionError) as error:
        raise FormSpecError(f"{where} is not valid YAML: {error}") from None
    if not isinstance(parsed, dict):
        raise FormSpecError(f"{where} must be a YAML mapping of keys to values")
    return text[: match.start()].strip(), parsed


def workflow_metadata(long_description: str) -> tuple[str, WorkflowMetadata]:
    where = "the workflow's __metadata__"
    text, raw = split_metadata(long_description, where)
    return text, _parse(WorkflowMetadata, raw, where)


def parameter_metadata(name: str, description: str) -> tuple[str, ParameterMetadata]:
    where = f"parameter {name!r}: its __metadata__"
    text, raw = split_metadata(description, where)
    return text, _parse(ParameterMetadata, raw, where)


def _parse(model: type[Any], raw: dict[str, Any], where: str) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}" for item in error.errors()
        )
        raise FormSpecError(f"{where} is invalid: {problems}") from None
