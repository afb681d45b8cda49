"""Type stubs of the pyo3 extension ``postq._native`` (the Rust side of the package)."""

from typing import Any, Awaitable, List, Optional, Tuple, Union

__version__: str

_Payload = Union[bytes, bytearray, str]

class NativeClient:
    """The configured core client; shared by threads, rebuilt after fork."""

    def __init__(
        self,
        *,
        api_key: Optional[str],
        base_url: Optional[str],
        timeout: Optional[float],
        connect_timeout: Optional[float],
        max_retries: Optional[int],
        user_agent: str,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def has_api_key(self) -> bool: ...
    def call(
        self,
        op: str,
        args: str,
        payload: Optional[_Payload] = None,
        *,
        is_async: bool = False,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        headers: Optional[List[Tuple[str, str]]] = None,
    ) -> Any: ...
    def stream(
        self,
        op: str,
        args: str,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        headers: Optional[List[Tuple[str, str]]] = None,
    ) -> NativeStream: ...

class NativeStream:
    """An open list stream; items are JSON text, ``None`` at the end."""

    def next(self) -> Optional[str]: ...
    def next_async(self) -> Awaitable[Optional[str]]: ...

class CancelTask:
    def __call__(self, future: Any) -> None: ...

def resolve_future(future: Any, ok: bool, value: Any) -> None: ...
def runtime_pid() -> Optional[int]: ...
def shutdown_runtime() -> None: ...
def verify_offline(public_key: str, payload: _Payload, signature: str) -> Tuple[bool, bool, bool]: ...
def verify_certificate(
    certificate: _Payload, hostname: Optional[str] = None, at: Optional[str] = None
) -> str: ...
def seal_generate() -> Tuple[str, bytes]: ...
def seal_public_key(seed: _Payload) -> str: ...
def seal(public_key: str, plaintext: _Payload, aad: _Payload) -> str: ...
def seal_open(seed: _Payload, envelope: str, aad: _Payload) -> bytes: ...
def verify_ledger(rows: str, complete: bool) -> str: ...
