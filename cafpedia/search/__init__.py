"""Search: one box for every kind of content, following the database through an outbox.

`service.py` is what the rest of CAFpedia calls; `backends/` holds the index
implementations behind one small interface (only `backends/whoosh_index.py` imports
whoosh); `documents.py` says what each kind of content puts in the index;
`query.py` reads the search box; `synonyms.txt` is the practitioners' vocabulary.
"""
