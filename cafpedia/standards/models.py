"""National Standards versions and their clauses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db


class StandardsVersion(db.Model):
    __tablename__ = "standards_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    clauses: Mapped[list[StandardClause]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="StandardClause.position"
    )

    def clause(self, code: str) -> StandardClause | None:
        return next((c for c in self.clauses if c.code == code), None)


class StandardClause(db.Model):
    __tablename__ = "standard_clauses"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("standards_versions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    standard: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)

    version: Mapped[StandardsVersion] = relationship(back_populates="clauses")

    @property
    def standard_number(self) -> int:
        return int(self.code.split(".", 1)[0])
