"""AuthMetadataService: how flytekit learns to authenticate, asked before it has credentials.

flytekit's `authType: ClientSecret` (what `latchlike config flytekit --token` writes) reads
the token endpoint here, trades its client id and secret (the API token's two halves) at
`POST /oauth2/token` for an access token, and sends that as `authorization: Bearer …`.

flytekit's default, PKCE, would instead start a callback server on `redirect_uri` and open
a browser at `authorization_endpoint`, then wait for a login that never comes (the hang
FACTS.md warns of). latchlike has no browser login for flytekit, so its `redirect_uri` has a
port that is no number but the instructions: flytekit's URL parsing refuses it at once,
before any socket or browser, and the error it prints quotes them.
"""

from __future__ import annotations

from flyteidl.service import auth_pb2, auth_pb2_grpc
from grpc import aio

from latchlike.grpc.guard import METADATA_KEY

__all__ = ["NO_BROWSER_LOGIN", "TOKEN_PATH", "AuthMetadataServicer"]

TOKEN_PATH = "/oauth2/token"
CLIENT_CREDENTIALS = "client_credentials"
NO_BROWSER_LOGIN = (
    "latchlike has no browser login for flytekit; create an API token on the account page of the web server, "
    "run `latchlike config flytekit --token <API token>` and use the config it writes"
)
"""Stands where PKCE's callback port would be; no '/', '?', '#', '@' or '[' may occur in it."""


class AuthMetadataServicer(auth_pb2_grpc.AuthMetadataServiceServicer):  # type: ignore[misc]
    def __init__(self, public_url: str) -> None:
        """`public_url`: the web server's, where the token endpoint is."""
        self._public_url = public_url.rstrip("/")

    async def GetOAuth2Metadata(
        self, request: auth_pb2.OAuth2MetadataRequest, context: aio.ServicerContext
    ) -> auth_pb2.OAuth2MetadataResponse:
        return auth_pb2.OAuth2MetadataResponse(
            issuer=self._public_url,
            token_endpoint=self._public_url + TOKEN_PATH,
            # No authorization endpoint of ours: PKCE fails on `redirect_uri` before using it.
            authorization_endpoint=self._public_url + TOKEN_PATH,
            grant_types_supported=[CLIENT_CREDENTIALS],
            token_endpoint_auth_methods_supported=["client_secret_basic"],
            response_types_supported=["token"],
        )

    async def GetPublicClientConfig(
        self, request: auth_pb2.PublicClientAuthConfigRequest, context: aio.ServicerContext
    ) -> auth_pb2.PublicClientAuthConfigResponse:
        return auth_pb2.PublicClientAuthConfigResponse(
            client_id="latchlike",
            redirect_uri=f"http://localhost:{NO_BROWSER_LOGIN}",
            authorization_metadata_key=METADATA_KEY,
            service_http_endpoint=self._public_url,
        )
