"""The code of every semantic rule, printed after its message (`FILE:L:C: message [code]`).

Codes are stable: a CI job or an editor may match on them, so a rule keeps its code when its
wording changes, and a new rule gets a new code here (a test checks both directions).
"""

CODES: dict[str, str] = {
    "bounds-inverted": "a lower bound over its upper bound (lengths, numbers, decimal places)",
    "conflicting-access-flags": "read_only together with write_only or immutable",
    "constraint-not-applicable": "a constraint the field's type does not have",
    "entity-as-field-type": "an entity used as a field type instead of a relation",
    "enum-as-relation-target": "an enum used as a relation target instead of a field type",
    "filter-not-allowed": "a filter on an unknown, json, write_only or many_to_many member",
    "invalid-pattern": "a pattern that is not a regular expression",
    "list-options-without-list": "list options on an entity whose list operation is disabled",
    "name-clash": "two things that derive the same name (schema, table, path, module, operation id, member)",
    "no-sample-value": "constraints no value can satisfy, so no example or test value exists",
    "optional-without-default": "required: false on a field that is neither nullable nor defaulted",
    "page-size-over-max": "page_size greater than max_page_size",
    "read-only-without-default": "a read_only field the API can never set, without default or null",
    "relation-option-not-applicable": "a foreign-key option on a many_to_many relation",
    "renamed-from-in-use": "a renamed_from naming something the domain still has, or two renames from one name",
    "required-cycle": "required relations that form a cycle, so no first row can exist",
    "required-with-default": "required: true on a field that has a default",
    "reserved-field-name": "a field named like a column every entity has",
    "reserved-relation-name": "a relation named like a column every entity has",
    "row-too-large": "a row over MariaDB/MySQL's row size limit",
    "scopes-without-auth": "scopes declared while auth.scheme is none",
    "search-not-allowed": "search on an unknown, non-string or write_only field",
    "set-null-on-required": "on_delete: set_null on a required relation",
    "sort-not-allowed": "a sort key that is unknown, a relation, write_only or of an unsortable type",
    "sql-name-too-long": "a table or column name over PostgreSQL's 63-character limit",
    "string-too-long-for-varchar": "a string max_length over what a MariaDB/MySQL VARCHAR holds",
    "unbounded-index": "an index on a text or json field",
    "unbounded-unique": "a unique text or json field",
    "unique-together-invalid": "a unique_together member that repeats, is unknown or is many_to_many",
    "unknown-default-sort": "a default_sort that is not a sort key",
    "unknown-entity": "a relation to an entity that does not exist",
    "unknown-scope": "an entity scope that auth.scopes does not declare",
    "unknown-type": "a field type that is neither a scalar type nor a declared enum",
    "value-does-not-fit": "a default or example outside the field's type or constraints",
}
