"""Creating a pod from a manifest that is plain JSON values already (`pods.pod_manifest`).

The client's generated `create_namespaced_pod` first walks every value of the body to turn
model objects into JSON-ready ones: for a plain manifest that changes nothing and was about
50 µs a pod, a fifth of a create's cost in the engine's process (which shares one GIL
between its event loop, its steps and these calls; 10,000 creates in a burst). Here the
request skips that walk and nothing else: the same headers and authentication as the
client's, through the client's REST layer (its connection pool, TLS, proxy and errors).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from kubernetes import client
from kubernetes.client.exceptions import ApiException

AUTH = ["BearerToken"]
"""The authentication the client's pod calls use."""


def create_pod(api: client.CoreV1Api, namespace: str, manifest: dict[str, Any]) -> None:
    """POST the pod; its answer is read and not parsed (the watch says what becomes of the
    pod). `ApiException` when refused, with its body as text, as the client raises it."""
    api_client = api.api_client
    headers = {**api_client.default_headers, "Accept": "application/json", "Content-Type": "application/json"}
    if api_client.cookie:
        headers["Cookie"] = api_client.cookie
    api_client.update_params_for_auth(headers, [], AUTH)
    url = f"{api_client.configuration.host}/api/v1/namespaces/{quote(namespace, safe='')}/pods"
    try:
        response = api_client.rest_client.request("POST", url, headers=headers, body=manifest, _preload_content=False)
    except ApiException as error:
        if isinstance(error.body, bytes):
            error.body = error.body.decode("utf-8", errors="replace")
        raise
    response.drain_conn()  # read, so that its connection goes back to the pool
    response.release_conn()
