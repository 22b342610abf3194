"""The API's OpenAPI schema: drf-spectacular's, plus the error answers every operation can give.

drf-spectacular documents the success answers only. The exception handler
(`communities.api.errors`) answers any operation with a 401 or 403, bad input with a 400 of field
errors, an unknown or out-of-scope row with a 404, a write that loses to a constraint with a 409,
and anything with a 503 while the database is out of reach; a client (and the fuzzing test) must
find those in the schema too.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    """An error that is not about one field: not signed in, not allowed, not found, a conflict."""

    detail = serializers.CharField()


class AutoSchema(SpectacularAutoSchema):
    """Adds the error answers an operation can give, unless the view documents its own."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        takes_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters)
        looks_up = any(p["in"] == "path" for p in parameters) or any(
            p["in"] == "query" and p["name"] == "page" for p in parameters
        )
        detail = self._error(self.resolve_serializer(ErrorSerializer, "response").ref)
        errors = {
            "401": ("Not signed in, or the token is unknown.", detail),
            "403": ("Signed in, but not allowed to do this.", detail),
        }
        if takes_input or self.method in WRITES:
            fields = self._error({"type": "object", "additionalProperties": {}})
            errors["400"] = ("Bad input or a refused change, by field; nothing changed.", fields)
        if looks_up:
            errors["404"] = ("No such row (or page), or not one the caller may see.", detail)
        if self.method in WRITES:
            errors["409"] = ("The data changed meanwhile; nothing was saved.", detail)
        if "requestBody" in operation:
            errors["415"] = ("The body is not in a media type the operation reads.", detail)
        if self.view.get_throttles():
            errors["429"] = ("Too many requests; try again later.", detail)
        errors["503"] = ("The database is out of reach; retry after Retry-After seconds.", detail)
        responses = operation.setdefault("responses", {})
        for code, (description, schema) in errors.items():
            responses.setdefault(code, {"description": description, **schema})
        return operation

    @staticmethod
    def _error(schema):
        return {"content": {"application/json": {"schema": schema}}}
