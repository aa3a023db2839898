"""Whether `latchlike serve` may have its ports, asked before anything starts.

Neither server shares a port: the gRPC server binds without SO_REUSEPORT (grpc's default on
Linux would let a second server start "successfully" and the kernel split clients between
the two) and uvicorn never sets it. Probing first turns a taken port into one clear line
naming it, instead of a traceback after the platform has half started.
"""

from __future__ import annotations

import errno
import socket

__all__ = ["port_in_use", "taken_port_refusal"]


def taken_port_refusal(host: str, ports: dict[str, int]) -> str | None:
    """The one line `latchlike serve` exits with if one of `ports` (option name → port) is
    taken, else None."""
    for option, port in ports.items():
        if port_in_use(host, port):
            return (
                f"latchlike: port {port} on {host} is in use (another `latchlike serve`?): stop that server, "
                f"or pass another {option}"
            )
    return None


def port_in_use(host: str, port: int) -> bool:
    """True if something listens on `host:port` (any of its addresses). Other bind errors (an
    address this machine lacks) are left for the server's own bind to report."""
    if port == 0:
        return False
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return False
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            # As both servers bind: a closed connection lingering in TIME_WAIT owns nothing.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return True
    return False
