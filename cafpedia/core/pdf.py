"""Printing a page to PDF, with WeasyPrint (its system libraries, Pango and HarfBuzz, come from
the operating system's packages: scripts/start.sh and scripts/test.sh install them)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing: say so, and offer the printed page."""


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    try:
        from weasyprint import HTML  # imported here: it loads Pango, which a page that never prints does not need
    except (ImportError, OSError) as exc:
        log.warning("PDF unavailable: %s", exc)
        raise PdfUnavailable(
            "PDFs cannot be made on this server just now (WeasyPrint or its system libraries are missing)."
        ) from exc
    return HTML(string=html, base_url=base_url).write_pdf()
