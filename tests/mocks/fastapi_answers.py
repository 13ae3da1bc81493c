# ruff: noqa: E501
"""What FastAPI itself answers for bad requests to the four operations: the reference the
handler is compared with, byte for byte.

Recorded with FastAPI 0.165.0, Starlette 1.10.0 and pydantic 2.14.4 from this app (its
``TestClient``, ``follow_redirects=False``; ``location`` kept as a path)::

    @app.get("/api/v1/extraction/runs")
    def list_runs(extraction_agent_id: uuid.UUID,
                  skip: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=0)] = 50): ...
    @app.get("/api/v1/extraction/runs/{run_id}")
    def get_run(run_id: uuid.UUID, project_id: Optional[uuid.UUID] = None,
                organization_id: Optional[uuid.UUID] = None): ...
    @app.delete("/api/v1/extraction/runs/{run_id}")       # same parameters
    @app.get("/api/v1/extraction/runs/by-job/{job_id}")   # same, with job_id

Each row: method, path (percent-encoded), query string, status, headers, body.
"""

FASTAPI_ANSWERS = [
    (
        "GET",
        "/api/v1/extraction/runs",
        "",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"missing","loc":["query","extraction_agent_id"],"msg":"Field required","input":null}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=xyz&skip=-1&limit=abc",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["query","extraction_agent_id"],"msg":"Input should be a valid UUID, invalid character: found `x` at 0","input":"xyz","ctx":{"error":"invalid character: found `x` at 0"}},{"type":"greater_than_equal","loc":["query","skip"],"msg":"Input should be greater than or equal to 0","input":"-1","ctx":{"ge":0}},{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=&skip=&limit=1.5",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["query","extraction_agent_id"],"msg":"Input should be a valid UUID, invalid length: found 0","input":"","ctx":{"error":"invalid length: found 0"}},{"type":"int_parsing","loc":["query","skip"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":""},{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"1.5"}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afa6&limit=1e3",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"1e3"}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afa6&limit=0x10&skip=%20",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"int_parsing","loc":["query","skip"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":" "},{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"0x10"}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afa6&limit=%C3%A9",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"\xc3\xa9"}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afa6&limit=7&limit=abc",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afag",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["query","extraction_agent_id"],"msg":"Input should be a valid UUID, invalid character: found `g` at 35","input":"3fa85f64-5717-4562-b3fc-2c963f66afag","ctx":{"error":"invalid character: found `g` at 35"}}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afa60",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["query","extraction_agent_id"],"msg":"Input should be a valid UUID, invalid group length in group 4: expected 12, found 13","input":"3fa85f64-5717-4562-b3fc-2c963f66afa60","ctx":{"error":"invalid group length in group 4: expected 12, found 13"}}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs",
        "extraction_agent_id=%00",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["query","extraction_agent_id"],"msg":"Input should be a valid UUID, invalid character: found `\\u0000` at 0","input":"\\u0000","ctx":{"error":"invalid character: found `\\u0000` at 0"}}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs/notauuid",
        "project_id=bad&organization_id=3fa85f64-5717-4562-b3fc-2c963f66afa6",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["path","run_id"],"msg":"Input should be a valid UUID, invalid character: found `n` at 0","input":"notauuid","ctx":{"error":"invalid character: found `n` at 0"}},{"type":"uuid_parsing","loc":["query","project_id"],"msg":"Input should be a valid UUID, invalid length: found 3","input":"bad","ctx":{"error":"invalid length: found 3"}}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs/by-job",
        "",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["path","run_id"],"msg":"Input should be a valid UUID, invalid character: found `y` at 1","input":"by-job","ctx":{"error":"invalid character: found `y` at 1"}}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs/by-job/nope",
        "organization_id=x",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["path","job_id"],"msg":"Input should be a valid UUID, invalid character: found `n` at 0","input":"nope","ctx":{"error":"invalid character: found `n` at 0"}},{"type":"uuid_parsing","loc":["query","organization_id"],"msg":"Input should be a valid UUID, invalid character: found `x` at 0","input":"x","ctx":{"error":"invalid character: found `x` at 0"}}]}',
    ),
    (
        "DELETE",
        "/api/v1/extraction/runs/12345678-1234-1234-1234-12345678901",
        "",
        422,
        {"content-type": "application/json"},
        b'{"detail":[{"type":"uuid_parsing","loc":["path","run_id"],"msg":"Input should be a valid UUID, invalid group length in group 4: expected 12, found 11","input":"12345678-1234-1234-1234-12345678901","ctx":{"error":"invalid group length in group 4: expected 12, found 11"}}]}',
    ),
    (
        "GET",
        "/api/v1/extraction/runs/a/b/c",
        "",
        404,
        {"content-type": "application/json"},
        b'{"detail":"Not Found"}',
    ),
    ("GET", "/nope", "", 404, {"content-type": "application/json"}, b'{"detail":"Not Found"}'),
    ("GET", "/", "", 404, {"content-type": "application/json"}, b'{"detail":"Not Found"}'),
    (
        "POST",
        "/api/v1/extraction/runs",
        "",
        405,
        {"allow": "GET", "content-type": "application/json"},
        b'{"detail":"Method Not Allowed"}',
    ),
    (
        "PUT",
        "/api/v1/extraction/runs/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "",
        405,
        {"allow": "GET", "content-type": "application/json"},
        b'{"detail":"Method Not Allowed"}',
    ),
    (
        "PATCH",
        "/api/v1/extraction/runs/by-job/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "",
        405,
        {"allow": "GET", "content-type": "application/json"},
        b'{"detail":"Method Not Allowed"}',
    ),
    (
        "DELETE",
        "/api/v1/extraction/runs/by-job/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "",
        405,
        {"allow": "GET", "content-type": "application/json"},
        b'{"detail":"Method Not Allowed"}',
    ),
    (
        "HEAD",
        "/api/v1/extraction/runs/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "",
        405,
        {"allow": "GET", "content-type": "application/json"},
        b"",
    ),
    (
        "OPTIONS",
        "/api/v1/extraction/runs/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "",
        405,
        {"allow": "GET", "content-type": "application/json"},
        b'{"detail":"Method Not Allowed"}',
    ),
    (
        "OPTIONS",
        "/api/v1/extraction/runs",
        "",
        405,
        {"allow": "GET", "content-type": "application/json"},
        b'{"detail":"Method Not Allowed"}',
    ),
    ("OPTIONS", "/nope", "", 404, {"content-type": "application/json"}, b'{"detail":"Not Found"}'),
    (
        "GET",
        "/api/v1/extraction/runs/",
        "extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afa6",
        307,
        {
            "location": "/api/v1/extraction/runs?extraction_agent_id=3fa85f64-5717-4562-b3fc-2c963f66afa6"
        },
        b"",
    ),
    (
        "DELETE",
        "/api/v1/extraction/runs/3fa85f64-5717-4562-b3fc-2c963f66afa6/",
        "",
        307,
        {"location": "/api/v1/extraction/runs/3fa85f64-5717-4562-b3fc-2c963f66afa6"},
        b"",
    ),
    ("GET", "/api/v1/extraction/runs//", "", 307, {"location": "/api/v1/extraction/runs"}, b""),
    ("GET", "/nope/", "", 404, {"content-type": "application/json"}, b'{"detail":"Not Found"}'),
    (
        "GET",
        "/api/v1/extraction/runs/3fa85f64-5717-4562-b3fc-2c963f66afa6%2Fx",
        "",
        404,
        {"content-type": "application/json"},
        b'{"detail":"Not Found"}',
    ),
]
