"""The National Standards' clauses as search finds them (`clause:<version>:<code>`): the
current version's only."""

from __future__ import annotations

from cafpedia.search.documents import SearchDocument, Source
from cafpedia.standards.models import StandardClause
from cafpedia.standards.services import current_version, find_version


def clause_document(clause: StandardClause) -> SearchDocument:
    return SearchDocument(
        key=f"clause:{clause.version.version}:{clause.code}",
        kind="standard",
        title=f"{clause.code} {clause.standard}",
        body=clause.summary,
        url=f"/standards/{clause.version.version}/{clause.code}",
        standards=[clause.code],
        updated_at=clause.version.created_at,
    )


def _documents(_kind: str, rest: str) -> list[SearchDocument]:
    version_name, _, code = rest.rpartition(":")
    version = find_version(version_name)
    current = current_version()
    clause = version.clause(code) if version else None
    return [clause_document(clause)] if clause and current and version.id == current.id else []


def _every_document():
    version = current_version()
    return [clause_document(clause) for clause in version.clauses] if version is not None else []


def _keys_for(obj) -> list[str] | None:
    if isinstance(obj, StandardClause):
        return [f"clause:{obj.version.version}:{obj.code}"] if obj.version is not None else []
    return None


def _count() -> int:
    version = current_version()
    return len(version.clauses) if version is not None else 0


SOURCE = Source(
    kinds=("clause",), documents=_documents, every_document=_every_document, count=_count, keys_for=_keys_for
)
