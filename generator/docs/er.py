"""The Mermaid ER diagram of a domain: tables, their columns and the foreign keys between them.

The diagram shows the database as the generated migration creates it: one box per entity
table (with `id`, the declared fields, the foreign key columns of to-one relations and the
bookkeeping columns `version`, `created_at`, `updated_at`) and one box per many-to-many link
table. Lines are foreign keys; their ends give the cardinality.

Names are quoted so that Mermaid keywords (`end`, `style`, `class`, `one`, `many`, `to`, ...)
stay names: entity names in double quotes, and the attribute names that Mermaid's lexer reads
as key markers (`pk`, `fk`, `uk`, in any case) in backticks.
"""

from __future__ import annotations

from ..domain.model import Domain, Entity, Field, Relation

INDENT = "    "

# Mermaid reads these words as key markers wherever they stand inside an entity block.
_KEY_WORDS = frozenset({"pk", "fk", "uk"})

# Cardinality markers: (end at the referenced table, end at the referencing table).
_TO_ONE_ENDS = {
    ("many_to_one", False): ("||", "o{"),
    ("many_to_one", True): ("|o", "o{"),
    ("one_to_one", False): ("||", "o|"),
    ("one_to_one", True): ("|o", "o|"),
}


def er_diagram(domain: Domain) -> str:
    """Mermaid `erDiagram` text (without the Markdown fence), deterministic for a domain."""
    id_type = domain.service.id_type
    lines = ["erDiagram"]
    for entity in domain.entities:
        lines.extend(_entity_block(entity, id_type))
    for entity in domain.entities:
        for relation in entity.relations:
            if relation.link_table:
                lines.extend(_link_block(entity, relation, id_type))
    for entity in domain.entities:
        for relation in entity.relations:
            lines.extend(_relation_lines(entity, relation))
    return "\n".join(lines) + "\n"


def column_type(field: Field) -> str:
    """The type shown for a column: the domain type, with the length of bounded strings."""
    if field.type == "enum":
        return field.enum or "enum"
    if field.type in ("string", "email", "url"):
        return f"{field.type}({field.max_length})"
    return field.type


def _quote(name: str) -> str:
    return f'"{name}"'


def _attribute(kind: str, name: str, keys: str = "", comment: str = "") -> str:
    shown = f"`{name}`" if name.lower() in _KEY_WORDS else name
    parts = [kind, shown]
    if keys:
        parts.append(keys)
    if comment:
        parts.append(_quote(comment.replace('"', "'")))
    return INDENT * 2 + " ".join(parts)


def _entity_block(entity: Entity, id_type: str) -> list[str]:
    lines = [f"{INDENT}{_quote(entity.name)} {{", _attribute(id_type, "id", "PK")]
    for field in entity.fields:
        notes = []
        if field.nullable:
            notes.append("nullable")
        if field.write_only:
            notes.append("write-only")
        lines.append(_attribute(column_type(field), field.name, "UK" if field.unique else "", ", ".join(notes)))
    for relation in entity.relations:
        if relation.fk_name is None:
            continue
        keys = "FK, UK" if relation.kind == "one_to_one" else "FK"
        notes = ["nullable"] if relation.nullable else []
        notes.append("on delete " + relation.on_delete.replace("_", " "))
        lines.append(_attribute(id_type, relation.fk_name, keys, ", ".join(notes)))
    lines.append(_attribute("integer", "version"))
    lines.append(_attribute("datetime", "created_at"))
    lines.append(_attribute("datetime", "updated_at"))
    lines.append(INDENT + "}")
    return lines


def _link_block(entity: Entity, relation: Relation, id_type: str) -> list[str]:
    return [
        f"{INDENT}{_quote(relation.link_table or '')} {{",
        _attribute(id_type, relation.link_source_column or "", "PK, FK", f"{entity.name}, on delete cascade"),
        _attribute(id_type, relation.link_target_column or "", "PK, FK", f"{relation.target}, on delete cascade"),
        INDENT + "}",
    ]


def _relation_lines(entity: Entity, relation: Relation) -> list[str]:
    if relation.link_table:
        link = _quote(relation.link_table)
        return [
            f"{INDENT}{_quote(entity.name)} ||--o{{ {link} : {_quote(relation.name)}",
            f"{INDENT}{_quote(relation.target)} ||--o{{ {link} : {_quote(relation.inverse or '')}",
        ]
    referenced, referencing = _TO_ONE_ENDS[(relation.kind, relation.nullable)]
    return [
        f"{INDENT}{_quote(relation.target)} {referenced}--{referencing} {_quote(entity.name)} : {_quote(relation.name)}"
    ]
