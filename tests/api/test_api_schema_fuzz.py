"""Schema fuzzing of the JSON API (issue 13): schemathesis generates requests for every operation
of the OpenAPI document the server itself serves (/api/openapi.json), so a route added later is
fuzzed by being a route. Each request goes in-process through Django's test Client (on the test
database, inside the test's transaction, so fixture records are seen) with a write-scope token,
once as a clinician and once as front desk. Every response must be no server error, a status the
operation declares, of the declared content type and matching the declared schema.

The clinic holds one record of each kind the API serves (`record_a`, tests/api/conftest.py: its
clinician works weekday mornings in Berlin). Per operation and role: the schema's own examples;
positive and negative fuzzing; positive cases with a token that is not the user's (FOREIGN_TOKENS:
a 401, never a crash); for an operation with an input named as a seeded record's id (a path
parameter, a query parameter or a body field: patient_id, session_id, clinician_id...), examples
and positive cases aimed at those records (`_aimed`, KNOWN); and examples and positive cases
(aimed, where they can be) with a NUL in one of their texts, nested ones too (`_with_nul`:
PostgreSQL's classic 500). Every operation must answer 2xx at least once (a write that no
generated body reaches needs an example in its schema, as PatientIn's `json_schema_extra`, which
documents it too), except to a role its router refuses (CLINICIANS_ONLY, by tag: the front desk
and the clinical record), which it must never answer 2xx.

Deterministic: each phase of each operation draws from a fixed seed (its name's CRC) with no
example database and a bounded number of examples: the same number of cases every run, and the
same requests for the same PYTHONHASHSEED (`make fuzz` sets 0). Between interpreter starts a few
negative cases break another part of the request (schemathesis picks from a set, in hash order;
2 of 355 differed in the runs tried): a finding there is real all the same.

The rate limits are lifted for the run (RATE_LIMITS): several hundred requests a minute by one
user are the point here, and tests/api/test_api.py tests the limits. The number of cases per role
is printed in pytest's terminal summary (tests/api/conftest.py, with or without -s) and must reach
a floor, so a broken generator cannot pass by generating nothing. `make fuzz` runs this file.
"""

from __future__ import annotations

import time
import zlib
from collections import Counter
from collections.abc import Callable
from copy import deepcopy
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dryneedling.accounts.api_tokens import api_token_create

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
POSITIVE, NEGATIVE, TOKENS, NUL, KNOWN = 25, 15, 5, 10, 10  # examples per operation and role in each phase
FLOOR_PER_OPERATION = 30  # fewer cases than this per operation on average: the generator broke
CLINICIANS_ONLY = {"clinical record", "follow-up"}  # the tags of the routers the front desk is refused
RATE_LIMITS = {"api-token": (1_000_000, 60), "api-token-failed": (1_000_000, 60)}
BASE_URL = "http://testserver"
# Tokens that are not the user's: one of the right shape with a character slipped in (often in the
# prefix, which finds the row), one of the right shape, and any text a server could pass on (Latin-1).
TOKEN_SHAPE = st.from_regex(r"dn_[0-9a-f]{8}_[A-Za-z0-9_-]{1,50}", fullmatch=True)
FOREIGN_TOKENS = st.one_of(
    st.builds(
        lambda token, at, char: token[:at] + char + token[at:],
        TOKEN_SHAPE,
        st.integers(3, 14),
        st.sampled_from("\x00\t\r\n \x7f\x85\xa0\xff_"),
    ),
    TOKEN_SHAPE,
    st.text(st.characters(max_codepoint=255), max_size=60),
)


def _send(client: Client, case: schemathesis.Case, token: str) -> schemathesis.Response:
    """The request schemathesis would put on the wire, through Django's test Client, with `token`
    in place of whatever the generator drew for the security scheme (a negative case may drop it).
    The token goes to Django as it is, even text `requests` would refuse in a header."""
    wire = case.as_transport_kwargs(base_url=BASE_URL, headers={"Authorization": "Bearer -"})
    prepared = requests.Request(**wire).prepare()
    url = urlsplit(prepared.url or "")
    body = prepared.body or b""
    headers = {k: v for k, v in prepared.headers.items() if k.lower() not in ("content-type", "content-length")}
    if "Authorization" in headers:
        headers["Authorization"] = f"Bearer {token}"
    started = time.monotonic()
    response = client.generic(
        prepared.method or "GET",
        url.path,
        data=body.encode() if isinstance(body, str) else body,
        content_type=prepared.headers.get("Content-Type", ""),
        QUERY_STRING=url.query,
        headers=headers,
    )
    elapsed = time.monotonic() - started
    answered: dict[str, list[str]] = {}
    for name, value in response.items():
        answered.setdefault(name.lower(), []).append(value)
    return schemathesis.Response(
        status_code=response.status_code,
        headers=answered,
        content=response.content,
        request=prepared,
        elapsed=elapsed,
        verify=False,
    )


def _fresh(case: Any) -> Any:
    """A copy of the case to change: an example's case may be drawn again."""
    copy = case.derive(keep_auth=True)
    copy.body, copy.query = deepcopy(case.body), deepcopy(case.query)
    return copy


def _texts(container: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every text in a body or query, nested ones too (a screening's answers)."""
    items = container.items() if isinstance(container, dict) else enumerate(container)
    found = []
    for key, value in items:
        if isinstance(value, str):
            found.append((container, key))
        elif isinstance(value, dict | list):
            found.extend(_texts(value))
    return found


def _with_nul(case: Any, which: int) -> Any:
    """The case with a NUL at the end of one of the texts of its body or query (the `which`-th, in
    turn): valid JSON and a valid query string, which PostgreSQL refuses to store or compare."""
    case = _fresh(case)
    texts = [text for c in (case.body, case.query) if isinstance(c, dict | list) for text in _texts(c)]
    if texts:
        container, key = texts[which % len(texts)]
        container[key] = f"{container[key]}\x00"
    return case


def _aimed(case: Any, known: dict[str, int]) -> Any:
    """The case with the ids of the seeded records in its path and in the fields of its body and
    query that bear their names (patient_id, episode_id, clinician_id...): by name, for any route."""
    case = _fresh(case)
    for container in (case.path_parameters, case.body, case.query):
        if isinstance(container, dict):
            for key in container.keys() & known.keys():
                container[key] = known[key]
    return case


def _inputs(document: dict[str, Any], operation: Any) -> set[str]:
    """The names of an operation's parameters and of its JSON body's fields."""
    spec = document["paths"][operation.path][operation.method.lower()]
    body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return {p["name"] for p in spec.get("parameters", [])} | set(body.get("properties", {}))


def _phases(
    operation: Any, inputs: set[str], known: dict[str, int], token: str
) -> list[tuple[str, st.SearchStrategy[Any], int]]:
    """(name, strategy of (case, token sent), examples) of each phase run on one operation."""
    ours = st.just(token)
    phases = []
    examples = operation.get_strategies_from_examples()
    if examples:
        phases.append(("examples", st.tuples(st.one_of(examples), ours), 5 * len(examples)))
    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    phases.append(("positive", st.tuples(positive, ours), POSITIVE))
    phases.append(
        ("negative", st.tuples(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), ours), NEGATIVE)
    )
    phases.append(("tokens", st.tuples(positive, FOREIGN_TOKENS), TOKENS))
    drawn = st.one_of(*examples, positive)
    if {p.name for p in operation.path_parameters} <= set(known) and inputs & set(known):
        drawn = st.builds(_aimed, drawn, st.just(known))
        phases.append(("known", st.tuples(drawn, ours), KNOWN))
    phases.append(("nul", st.tuples(st.builds(_with_nul, drawn, st.integers(0, 15)), ours), NUL))
    return phases


def _run(name: str, strategy: st.SearchStrategy[Any], examples: int, test: Callable[[Any], None]) -> None:
    """`examples` draws of `strategy` given to `test`, from a seed of `name`: the same every run."""

    @seed(zlib.crc32(name.encode()))
    @settings(max_examples=examples, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), print_blob=False)  # fmt: skip
    @given(drawn=strategy)
    def run(drawn: Any) -> None:
        test(drawn)

    run()


@pytest.mark.parametrize(
    ("persona", "refused"), [("alice", set()), ("bob", CLINICIANS_ONLY)], ids=["clinician", "front_desk"]
)
def test_every_operation_answers_within_its_schema(persona, refused, request, alice, record_a, fuzz_report):  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    token = api_token_create(actor=user, name="schema fuzz", scope="write").plaintext
    client = Client(raise_request_exception=False)  # a crash is a 500, which not_a_server_error reports
    document = client.get("/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    known = record_a.params() | {"clinician_id": alice.pk}  # one record of each kind (tests/api/conftest.py)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: (op.method.upper() == "GET", op.path))  # writes first: the reads then list them
    statuses: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []

    def test(drawn: tuple[Any, str]) -> None:
        case, sent = drawn
        response = _send(client, case, sent)
        statuses[(case.operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failure:
            if sent != token:  # the report's curl line filters the Authorization header out
                failure.add_note(f"Authorization: Bearer {sent!r}")
            raise

    with override_settings(RATE_LIMITS=RATE_LIMITS):
        for operation in operations:
            for phase, strategy, examples in _phases(operation, _inputs(document, operation), known, token):
                try:
                    _run(f"{operation.label} {phase}", strategy, examples, test)
                except (FailureGroup, Exception) as error:  # every operation's findings are reported together
                    failures.append(f"{operation.label} ({phase}): {error}")

    cases = sum(statuses.values())
    role = request.node.callspec.id
    fuzz_report[role] = {"cases": cases, "operations": len(operations), "statuses": statuses}
    print(f"API schema fuzz as {role}: {cases} cases over {len(operations)} operations")
    assert not failures, "\n\n".join(failures)
    answered = {op.label: any(s < 300 for (label, s) in statuses if label == op.label) for op in operations}
    barred = {op.label for op in operations if refused & set(op.tags or ())}
    leaked = [label for label in barred if answered[label]]
    assert not leaked, f"answered 2xx to a role it refuses: {leaked}"
    unreached = [label for label, reached in answered.items() if not reached and label not in barred]
    assert not unreached, f"never answered 2xx (give the operation an example in its schema): {unreached}"
    assert cases >= FLOOR_PER_OPERATION * len(operations), f"only {cases} cases: is the generator broken?"
