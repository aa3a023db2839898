"""ui_gen's one error."""

from __future__ import annotations


class FormSpecError(ValueError):
    """An interface ui_gen cannot turn into a form. The message names the parameter and says
    what to change; the server reports it as a registration error."""
