"""The resource directory as ``clients`` sees it: consent recipients chosen from it.

The directory belongs to ``referrals``, which ``clients`` never imports. ``referrals``
registers, in its ``AppConfig.ready()``, one function (through ``clients.chart``):

    register_recipient_directory(organisations)

where ``organisations(ids=None)`` returns ``{id: name}`` of the directory's
organisations (all of them, or those of ``ids``). With nothing registered the consent
form offers typed names only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_DIRECTORY: list[Callable[..., dict[int, str]]] = []


def register_recipient_directory(organisations: Callable[..., dict[int, str]]) -> None:
    _DIRECTORY[:] = [organisations]


def directory_organisations(ids: Iterable[int] | None = None) -> dict[int, str]:
    """``{id: name}`` of the directory's organisations (of ``ids``; all: None)."""
    if not _DIRECTORY:
        return {}
    return _DIRECTORY[0](ids=None if ids is None else list(ids))
