"""The content contract (../shared/content-format.md): loading and exporting folders.

The machinery lives here; each domain describes its own files in `<domain>/content.py`.
"""
