"""Application errors and the one handler that turns them into HTTP answers.

Services raise ``django.core.exceptions.ValidationError`` (with a dict naming the
field) for bad input and ``Conflict`` for a state change that is not allowed now. The
browser shows the messages next to the fields (``casemgmt.lib.forms.form_add_service_error``);
the API answers 400 naming the field, or 409.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """Base class for errors a service raises on purpose."""


class Conflict(ApplicationError):
    """The action is not allowed in the object's current state (HTTP 409).

    ``field`` names the form field the browser shows the message next to; ``extra``
    goes into the API body as it is (e.g. what changed in an edit conflict).
    """

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class ConflictError(drf_exceptions.APIException):
    status_code = 409
    default_detail = "This action is not allowed in the current state."
    default_code = "conflict"


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Conflict):
        response = exception_handler(ConflictError(exc.message), context)
        response.data = {
            "detail": exc.message,
            **({exc.field: [exc.message]} if exc.field else {}),
            **exc.extra,
        }
        return response
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied(str(exc) or None)
    return exception_handler(exc, context)
