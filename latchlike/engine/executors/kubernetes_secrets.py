"""A workspace's secret values in its Kubernetes Secret (`pod_secrets`), put there before
the first pod that asks for them, and removed when the secret is deleted."""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from latchlike.engine.executors.calls import discarded
from latchlike.engine.executors.pod_secrets import secret_data, secret_manifest, secret_name
from latchlike.engine.executors.pods import MANAGED_BY, MANAGER
from latchlike.engine.executors.secrets import TaskSecrets, data_key
from latchlike.errors import Unavailable


class WorkspaceSecrets:
    def __init__(
        self, api: client.CoreV1Api, namespace: str, call: Callable[[Callable[[], Any]], Awaitable[Any]]
    ) -> None:
        """`call` makes a blocking call off the event loop (the executor's API threads)."""
        self._api = api
        self._namespace = namespace
        self._call = call
        self._stored: dict[str, dict[str, str]] = {}
        """Per workspace, the SHA-256 of each value this server put in its Secret, by Secret key."""
        self._locks: dict[str, asyncio.Lock] = {}

    async def store(self, secrets: TaskSecrets) -> str | None:
        """Put the values the attempt asks for into its workspace's Secret, unless this
        server already put those very values there (a map task's items share one write).
        Why that failed, or None. Never the API's answer: it may quote what was sent."""
        data = secret_data(secrets)
        digests = {key: hashlib.sha256(value.encode()).hexdigest() for key, value in data.items()}
        async with self._locks.setdefault(secrets.workspace, asyncio.Lock()):
            stored = self._stored.setdefault(secrets.workspace, {})
            if all(stored.get(key) == digest for key, digest in digests.items()):
                return None
            try:
                await self._call(functools.partial(self._put, secrets, data))
            except ApiException as error:
                return f"the cluster refused workspace {secrets.workspace!r}'s secrets: {error.status} {error.reason}"
            except Exception:
                return "the API server could not be reached to store the workspace's secrets"
            stored.update(digests)
        return None

    def _put(self, secrets: TaskSecrets, data: dict[str, str]) -> None:
        """Merge `data` into the workspace's Secret, creating it when there is none."""
        name, namespace = secret_name(secrets.workspace), self._namespace
        merge = functools.partial(self._api.patch_namespaced_secret, name, namespace, {"data": data},
                                  _content_type="application/merge-patch+json", _preload_content=False)  # fmt: skip
        try:
            return discarded(merge)
        except ApiException as error:
            if error.status != 404:
                raise
        manifest = secret_manifest(secrets, namespace, {MANAGED_BY: MANAGER})
        try:
            discarded(self._api.create_namespaced_secret, namespace, manifest, _preload_content=False)
        except ApiException as error:
            if error.status != 409:  # made meanwhile (another server): merge into that one
                raise
            discarded(merge)

    async def forget(self, workspace: str, group: str, key: str) -> None:
        """Removes the value from the workspace's Secret (else it stays there until a value of
        the same name overwrites it), and from what this server remembers having put there,
        so that a value set again is put again."""
        removed = data_key(group, key)
        async with self._locks.setdefault(workspace, asyncio.Lock()):
            self._stored.get(workspace, {}).pop(removed, None)
            try:
                await self._call(functools.partial(self._remove_key, workspace, removed))
            except ApiException as error:
                raise Unavailable(
                    f"secret {group}/{key} is deleted, but the cluster refused to remove it from Secret "
                    f"{secret_name(workspace)!r}: {error.status} {error.reason}"
                ) from None
            except Exception as error:
                raise Unavailable(
                    f"secret {group}/{key} is deleted, but the API server could not be reached to remove it from "
                    f"Secret {secret_name(workspace)!r}"
                ) from error

    def _remove_key(self, workspace: str, removed: str) -> None:
        """A JSON merge patch's null removes the key; a workspace with no Secret has nothing to remove."""
        patch = {"data": {removed: None}}
        try:
            discarded(self._api.patch_namespaced_secret, secret_name(workspace), self._namespace, patch,
                       _content_type="application/merge-patch+json", _preload_content=False)  # fmt: skip
        except ApiException as error:
            if error.status != 404:
                raise
