"""A small typed workflow that shows the platform working end to end."""

from __future__ import annotations

from enum import Enum

from flytekit import task, workflow


class Greeting(Enum):
    HELLO = "Hello"
    WELCOME = "Welcome"


@task(retries=1)
def compose_greeting(name: str, greeting: Greeting, excitement: int) -> str:
    """Compose one greeting line.

    Args:
        name: Who to greet.
        greeting: Which greeting to use.
        excitement: How many exclamation marks to add.
    """
    return f"{greeting.value}, {name}" + "!" * excitement


@task(cache=True, cache_version="1")
def repeat_lines(line: str, times: int) -> list[str]:
    """Repeat a line, one list entry per repetition.

    Args:
        line: The text to repeat.
        times: How many copies to make.
    """
    return [line] * times


@workflow
def hello_world(
    name: str = "world", greeting: Greeting = Greeting.HELLO, excitement: int = 1, times: int = 1
) -> list[str]:
    """Greet someone, as many times as you like.

    A minimal latchlike workflow: two typed tasks in sequence, with defaults for every
    input, used to check that registration, forms and runs work.

    Args:
        name: Who to greet.
        greeting: Which greeting to use.
        excitement: How many exclamation marks to add (0 or more).
        times: How many greetings to produce.
    """
    line = compose_greeting(name=name, greeting=greeting, excitement=excitement)
    return repeat_lines(line=line, times=times)
