"""Latch-style `__metadata__:` YAML in docstrings.

The workflow docstring may carry display_name, author, documentation, repository,
license and tags; each parameter's text under `Args:` may carry its own block
(display_name, hidden, section_title, placeholder, comment, output, appearance,
rules). flytekit keeps both inside the descriptions it registers, so they are split
off here and never shown as text. Unknown keys are errors, so a typo never silently
does nothing.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ui_gen.errors import FormSpecError

_MARKER = re.compile(r"^[ \t]*__metadata__:[ \t]*$", re.MULTILINE)


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


class ParameterMetadata(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    display_name: str = ""
    hidden: bool = False
    section_title: str = ""
    placeholder: str = ""
    comment: str = ""
    output: bool = False
    appearance: Literal["line", "paragraph", "multiselect"] = "line"
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _flatten_appearance(cls, data: Any) -> Any:
        """Latch nests placeholder/comment/output/type under `appearance:`; accept both."""
        if isinstance(data, dict) and isinstance(data.get("appearance"), dict):
            nested = dict(data.pop("appearance"))
            if "type" in nested:
                data["appearance"] = nested.pop("type")
            data = {**nested, **data}
        return data


class Author(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = ""
    email: str = ""
    github: str = ""


class WorkflowMetadata(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    display_name: str = ""
    author: Author = Field(default_factory=Author)
    documentation: str = ""
    repository: str = ""
    license: str = ""
    tags: tuple[str, ...] = ()
    parameters: dict[str, ParameterMetadata] = Field(default_factory=dict)

    @field_validator("license", mode="before")
    @classmethod
    def _license_id(cls, value: Any) -> Any:
        """Latch writes `license: {id: MIT}`."""
        return value.get("id", "") if isinstance(value, dict) else value


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
