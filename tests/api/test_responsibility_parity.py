"""`responsibility` over GraphQL carries the same content as the CLI's JSON (`Answer.to_dict()`).

Every golden question is asked both ways on the same graph; the GraphQL answer, with every field
selected and read back into the JSON's shape (snake_case keys, lower-case statuses, the authority's
unit flattened), must equal the JSON exactly: nothing missing, nothing added, nothing different.
"""

from __future__ import annotations

import re
from typing import Any

from app.domain.resolver import Question, Resolver
from app.store.base import GraphStore, jsonable
from tests.api.support import data, gql
from tests.golden.test_golden import questions

NAMED = "{ uid name }"
EVERYTHING = f"""
query($municipality: String!, $age: Int!, $conditions: [String!]!, $paragraph: String,
      $kind: ResponsibilityKind!, $date: Date) {{
  responsibility(municipality: $municipality, age: $age, conditions: $conditions, paragraph: $paragraph,
                 kind: $kind, date: $date) {{
    status
    question {{ municipality {NAMED} age conditions conditionNames paragraphAsked paragraphApplied kind date }}
    authority {{
      unit {{ uid name kind }} path {{ uid name kind }} rules valid
      leaders {{ title level unit unitUid person inheritedFrom inferred }}
    }}
    paragraphs {{
      uid name heading unconfirmed role
      via {{ paragraph name relation
             steps {{ fromUid fromName toUid toName effectiveOn scope direction inferred }} }}
    }}
    providers {{ type uid name unit {NAMED} detail paragraphs rule inferred }}
    exceptions {{ rule ruleName paragraphs {NAMED} paragraphsOnDate {NAMED} units {NAMED} sameAsAuthority inferred }}
    nearest {{ rule ruleName units {NAMED} failsOn detail distance }}
    rules {{
      uid name kind verdict reason reasonCodes holders {NAMED} inferred
      paragraphMatch {{ ruleParagraph ruleParagraphName relation }}
    }}
    sources {{ document section quote about }}
    inferred
    inferredSteps {{ about reason }}
    explanation
    warnings
  }}
}}
"""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def as_cli_json(value: Any) -> Any:
    """A GraphQL answer in the shape of `Answer.to_dict()`."""
    if isinstance(value, list):
        return [as_cli_json(item) for item in value]
    if not isinstance(value, dict):
        return value
    plain = {_snake(key): as_cli_json(item) for key, item in value.items()}
    if isinstance(plain.get("unit"), dict) and "path" in plain:  # an authority: its unit is flattened in the JSON
        unit = plain.pop("unit")
        plain = {"unit": unit["name"], "uid": unit["uid"], "kind": unit["kind"], **plain}
    for enum_key in ("status", "verdict"):
        if isinstance(plain.get(enum_key), str):
            plain[enum_key] = plain[enum_key].lower()
    return plain


def test_every_golden_answer_is_the_same_over_graphql_as_in_the_cli_json(
    base_url: str, seeded_store: GraphStore
) -> None:
    resolver = Resolver(seeded_store)
    asked = 0
    for golden in questions():
        variables = {
            "municipality": golden.municipality,
            "age": golden.age,
            "conditions": list(golden.conditions),
            "paragraph": golden.paragraph,
            "kind": "MYNDIGHED" if golden.kind == "myndighed" else "UDFOERER",
            "date": golden.on.isoformat(),
        }
        over_graphql = as_cli_json(data(gql(base_url, EVERYTHING, **variables))["responsibility"])
        question = Question(
            municipality=golden.municipality,
            age=golden.age,
            conditions=golden.conditions,
            paragraph=golden.paragraph,
            kind=golden.kind,
            on=golden.on,
        )
        cli_json = jsonable(resolver.resolve(question).to_dict())
        assert over_graphql == cli_json, golden.describe()
        asked += 1
    assert asked >= 80, "the golden questions were all asked"
