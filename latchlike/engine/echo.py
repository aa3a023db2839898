"""flytekit's `Echo` task (task type "echo"): no container, its outputs are its inputs.
Propeller runs it in process with its echo plugin; so does the engine, without a process."""

from __future__ import annotations

from flyteidl.core import interface_pb2, literals_pb2, tasks_pb2

from latchlike.specs.type_check import can_feed

TASK_TYPE = "echo"


def in_process(
    template: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap | None
) -> literals_pb2.LiteralMap | None:
    """The outputs of an echo task, at once; None for any other task (it runs as a process)."""
    if template.type != TASK_TYPE or inputs is None:
        return None
    return echoed(template.interface, inputs)


def echoed(interface: interface_pb2.TypedInterface, inputs: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
    """Each input becomes the first unpaired output whose type it can feed, as the echo
    plugin pairs them. flytekit names the outputs `o0`, `o1`… in the inputs' order, which a
    protobuf map does not keep: inputs are taken by name, outputs by number."""
    outputs = sorted(interface.outputs.variables.items(), key=lambda item: _number(item[0]))
    paired: dict[str, literals_pb2.Literal] = {}
    for name, variable in sorted(interface.inputs.variables.items()):
        for output, wanted in outputs:
            if output not in paired and can_feed(variable.type, wanted.type):
                paired[output] = inputs.literals[name]
                break
    return literals_pb2.LiteralMap(literals=paired)


def _number(name: str) -> tuple[int, str]:
    digits = name.removeprefix("o")
    return (int(digits), name) if digits.isdigit() else (-1, name)
