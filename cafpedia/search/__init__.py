"""Search: one box for every kind of content, following the database through an outbox.

`service.py` is what the rest of CAFpedia calls (`init_app`, wired by create_app with the
explicit list of Sources; `search`); `follower.py` holds `IndexFollower`, the one object that
keeps the index following the change log (`change_log.py`); `visibility.py` states who sees
what; `backends/` holds the index implementations behind one small interface (only
`backends/whoosh_*.py` and `text.py` import whoosh); `documents.py` says what a document is and
what a Source gives; `query.py` reads the search box; `synonyms.txt` is the practitioners'
vocabulary. Search stands below the domains: it imports none of them.
"""
