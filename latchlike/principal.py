"""Who a launch is recorded as. Until accounts exist there is one principal: the local
account the server runs as. Nothing a request claims (gRPC's `ExecutionMetadata.principal`,
a header, a form field) is believed, since anyone can write anything there."""

from __future__ import annotations

import getpass

__all__ = ["LOCAL_PRINCIPAL"]


def _local_account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no passwd entry and no $USER
        return "local"


LOCAL_PRINCIPAL = _local_account()
