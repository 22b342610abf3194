"""The floor of `benchmarks.report_posting`: a DRF endpoint (the project's authentication,
permission and parser) that inserts the posted body as one row, and nothing else."""

import json

from django.db import connection
from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

# Created in the scratch database by the benchmark, never by a migration.
TABLE = "benchmark_bare_post"
CREATE_TABLE = f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, body jsonb NOT NULL)"


class BareInsertView(APIView):
    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (body) VALUES (%s) RETURNING id",
                [json.dumps(request.data)],
            )
            (pk,) = cursor.fetchone()
        return Response({"id": pk}, status=status.HTTP_201_CREATED)


urlpatterns = [path("api/bare/", BareInsertView.as_view())]
