"""The figures about state, read from the database and the index when /metrics is scraped."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily

from cafpedia.ops import health


class StateCollector:
    def collect(self):
        found = health.check()
        up = GaugeMetricFamily("cafpedia_up", "1 if the part answers, by part.", labels=["part"])
        for name, part in found.parts.items():
            up.add_metric([name], 1.0 if part.get("status") == "ok" else 0.0)
        yield up
        search = found.parts.get("search", {})
        if "lag_rows" in search:
            yield GaugeMetricFamily(
                "cafpedia_search_outbox_lag_rows",
                "Changes this machine's index has not applied.",
                value=search["lag_rows"],
            )
            yield GaugeMetricFamily(
                "cafpedia_search_outbox_lag_seconds",
                "Age of the oldest change this machine's index has not applied.",
                value=search["lag_seconds"],
            )
            yield GaugeMetricFamily(
                "cafpedia_search_change_log_rows",
                "Rows in the search change log (pruned once every index has them).",
                value=search["logged_rows"],
            )
            yield GaugeMetricFamily(
                "cafpedia_search_index_documents",
                "Documents in this machine's search index.",
                value=search["documents"],
            )
        mail = found.parts.get("mail", {})
        if "sent" in mail:
            messages = GaugeMetricFamily(
                "cafpedia_mail_messages", "Messages in the mail outbox, by state.", labels=["state"]
            )
            for state in ("waiting", "sent", "failed"):
                messages.add_metric([state], mail[state])
            yield messages
