"""What an operation may ask for: who may run it at all, how deep, how many aliases, how costly.

Every refusal is a GraphQL error with a machine-readable `extensions.code`:

- `UNAUTHENTICATED`: a key was given but is not known, or no key was given while
  `anonymous_read` is off. Checked before validation, so an unauthenticated caller learns
  nothing about the schema from validation messages.
- `DEPTH_LIMIT_EXCEEDED`: deeper than `MAX_DEPTH` (strawberry's depth rule, with a code).
- `TOKEN_LIMIT_EXCEEDED`: a document of more than `MAX_TOKENS` tokens (not even parsed).
- `ALIAS_LIMIT_EXCEEDED`: more aliases than `MAX_ALIASES` (one field fetched many times).
- `COMPLEXITY_LIMIT_EXCEEDED`: the estimated cost is above `Settings.max_query_complexity`.

The cost estimate is read from the schema's field types, so new fields need nothing here:
each field costs 1, and a list field multiplies the cost of what is selected under it by its
`first`/`last` argument (the value given, else the argument's default, else
`DEFAULT_LIST_SIZE`). A non-list field with `first`/`last` (a connection) passes its size on to
the list directly under it. Introspection fields cost 1 each.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, cast

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)
from graphql.execution import ExecutionResult
from graphql.pyutils import Undefined
from graphql.utilities import get_operation_ast
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from app.errors import Unauthenticated

MAX_ALIASES = 30
"""Most aliases in one document: an alias lets one query fetch the same costly field many times."""

MAX_TOKENS = 5_000
"""Most tokens in one document; the parser stops past it (the GraphiQL introspection query has ~250)."""
_TOKEN_LIMIT_MESSAGE = "tokens. Parsing aborted"

DEFAULT_LIST_SIZE = 10
"""Assumed length of a list field asked without `first`/`last` (and without a default for them)."""

PAGE_SIZE_ARGUMENTS = ("first", "last")

DEPTH_LIMIT_EXCEEDED = "DEPTH_LIMIT_EXCEEDED"
ALIAS_LIMIT_EXCEEDED = "ALIAS_LIMIT_EXCEEDED"
TOKEN_LIMIT_EXCEEDED = "TOKEN_LIMIT_EXCEEDED"
COMPLEXITY_LIMIT_EXCEEDED = "COMPLEXITY_LIMIT_EXCEEDED"


def _with_code(rule: type[ASTValidationRule], code: str) -> type[ValidationRule]:
    """`rule`, with `code` added to the errors it reports (strawberry's limit rules report plain errors).

    Those rules do all their work in `__init__`, so the context's `report_error` is wrapped only
    for that call.
    """

    class Coded(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            report = context.report_error

            def coded(error: GraphQLError) -> None:
                report(
                    GraphQLError(
                        error.message,
                        error.nodes,
                        source=error.source,
                        positions=error.positions,
                        extensions={**(error.extensions or {}), "code": code},
                    )
                )

            context.report_error = coded  # type: ignore[method-assign]
            try:
                rule(context)
            finally:
                del context.report_error  # back to the class's method
            super().__init__(context)

    Coded.__name__ = f"Coded{rule.__name__}"
    return Coded


@cache
def _depth_rules(max_depth: int) -> tuple[type[ValidationRule], ...]:
    return tuple(_with_code(rule, DEPTH_LIMIT_EXCEEDED) for rule in QueryDepthLimiter(max_depth).validation_rules)


@cache
def _alias_rules(max_alias_count: int) -> tuple[type[ValidationRule], ...]:
    return tuple(_with_code(rule, ALIAS_LIMIT_EXCEEDED) for rule in MaxAliasesLimiter(max_alias_count).validation_rules)


# The rule classes are made once per limit, not per request: strawberry's limiters make a new class per
# instance, and a new class in every request's rules would make every request miss the ValidationCache.


class DepthLimit(AddValidationRules):
    """Strawberry's depth limit, refusing with `DEPTH_LIMIT_EXCEEDED`."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(list(_depth_rules(max_depth)))


class AliasLimit(AddValidationRules):
    """Strawberry's alias limit, refusing with `ALIAS_LIMIT_EXCEEDED`."""

    def __init__(self, max_alias_count: int = MAX_ALIASES) -> None:
        super().__init__(list(_alias_rules(max_alias_count)))


class AccessGate(SchemaExtension):
    """Refuse the whole operation, before validation, when the caller may not use the API at all.

    The request's context says why: `auth_refusal` (an unknown key) or no key while
    `settings.anonymous_read` is off. Finer checks (analyst, curator) are per field, via
    `require_role`.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        refusal: Exception | None = getattr(context, "auth_refusal", None)
        principal = getattr(context, "principal", None)
        settings = getattr(context, "settings", None)
        anonymous = principal is None or principal.anonymous
        if refusal is None and anonymous and settings is not None and not settings.anonymous_read:
            refusal = Unauthenticated("this API needs an API key (Authorization: Bearer <key> or X-API-Key: <key>)")
        if refusal is not None:
            self.execution_context.pre_execution_errors = [GraphQLError(str(refusal), original_error=refusal)]
        yield


class ComplexityLimit(SchemaExtension):
    """Refuse, before anything runs, an operation whose estimated cost is above the limit.

    Runs at the start of execution rather than as a validation rule, so that `first: $n`
    is estimated with the value the request actually passes.
    """

    def __init__(self, max_complexity: int | None = None, default_list_size: int = DEFAULT_LIST_SIZE) -> None:
        self.max_complexity = max_complexity
        self.default_list_size = default_list_size

    def _limit(self) -> int | None:
        if self.max_complexity is not None:
            return self.max_complexity
        settings = getattr(self.execution_context.context, "settings", None)
        return cast(int | None, getattr(settings, "max_query_complexity", None))

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        limit = self._limit()
        if limit is not None and ctx.graphql_document is not None and ctx.result is None:
            operation = get_operation_ast(ctx.graphql_document, ctx.operation_name)
            if operation is not None:
                cost = estimate_cost(
                    ctx.schema._schema,
                    operation,
                    _fragments(ctx.graphql_document.definitions),
                    ctx.variables or {},
                    self.default_list_size,
                )
                if cost > limit:
                    error = GraphQLError(
                        f"the query's estimated cost is {cost}, above the limit of {limit}: "
                        f"ask for fewer fields, or pass smaller first/last to list fields "
                        f"(a list without them counts as {self.default_list_size} items)",
                        [operation],
                        extensions={"code": COMPLEXITY_LIMIT_EXCEEDED, "cost": cost, "limit": limit},
                    )
                    ctx.result = ExecutionResult(data=None, errors=[error])
        yield


def _fragments(definitions: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}


def estimate_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    default_list_size: int = DEFAULT_LIST_SIZE,
) -> int:
    """Fields × list sizes of one operation (see the module docstring)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    estimator = _Estimator(schema, fragments, variables, operation, default_list_size)
    return estimator.selection_set(operation.selection_set, root, None, frozenset())


class _Estimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        operation: OperationDefinitionNode,
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.variable_defaults = {d.variable.name.value: d.default_value for d in operation.variable_definitions or ()}
        self.default_list_size = default_list_size

    def selection_set(
        self,
        selection_set: SelectionSetNode,
        parent: Any,
        page_size: int | None,
        spreading: frozenset[str],
    ) -> int:
        """Cost of a selection set on `parent`: its fields, plus the costliest of fragments on other types."""
        common = 0
        by_type: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                common += self.field(selection, parent, page_size, spreading)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                inner = selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in spreading:
                    continue
                spreading = spreading | {name}
                condition = fragment.type_condition.name.value
                inner = fragment.selection_set
            else:  # pragma: no cover - no other selection kinds exist
                continue
            on = self.schema.get_type(condition) if condition else parent
            cost = self.selection_set(inner, on or parent, page_size, spreading)
            if condition is None or on is parent:
                common += cost
            else:
                by_type[condition] = by_type.get(condition, 0) + cost
        return common + max(by_type.values(), default=0)

    def field(self, node: FieldNode, parent: Any, page_size: int | None, spreading: frozenset[str]) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 1
        definition = parent.fields.get(name)
        if definition is None:
            return 1
        own_size = self.page_size(node, definition)
        kind: Any = definition.type
        list_depth = 0
        while isinstance(kind, GraphQLNonNull | GraphQLList):
            if isinstance(kind, GraphQLList):
                list_depth += 1
            kind = kind.of_type
        if node.selection_set is None:
            return 1
        if list_depth:
            first = own_size if own_size is not None else page_size
            multiplier: int = (first if first is not None else self.default_list_size) * (
                self.default_list_size ** (list_depth - 1)
            )
            passed_on = None
        else:
            multiplier = 1
            passed_on = own_size
        inner = self.selection_set(node.selection_set, kind, passed_on, spreading)
        return 1 + multiplier * inner

    def page_size(self, node: FieldNode, definition: Any) -> int | None:
        """The `first`/`last` a field is asked with (or their default in the schema), if it has them."""
        sizes: list[int] = []
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in PAGE_SIZE_ARGUMENTS:
            argument = definition.args.get(name)
            if argument is None:
                continue
            value: Any = Undefined
            if name in given:
                node_value = given[name]
                if isinstance(node_value, IntValueNode):
                    value = int(node_value.value)
                elif isinstance(node_value, VariableNode):
                    variable = node_value.name.value
                    if variable in self.variables:
                        value = self.variables[variable]
                    elif isinstance(self.variable_defaults.get(variable), IntValueNode):
                        value = int(cast(IntValueNode, self.variable_defaults[variable]).value)
            else:
                value = argument.default_value
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                sizes.append(int(value))
        return max(sizes) if sizes else None


class TokenLimit(MaxTokensLimiter):
    """Strawberry's token limit (the parser stops past it), refusing with `TOKEN_LIMIT_EXCEEDED`."""

    def __init__(self, max_token_count: int = MAX_TOKENS) -> None:
        super().__init__(max_token_count=max_token_count)

    def on_parse(self) -> Iterator[None]:
        yield
        # The parse error object is shared with the result strawberry returns: tag it in place.
        for error in self.execution_context.pre_execution_errors or ():
            if _TOKEN_LIMIT_MESSAGE in error.message:
                error.extensions = {**(error.extensions or {}), "code": TOKEN_LIMIT_EXCEEDED}
