"""The MkDocs hooks of the course site (listed in ``mkdocs.yml``) and what they share.

``pages`` reads and runs the pages as the tests do; ``figures``, ``interactive`` and
``offline`` make the site's figures, interactive figures and notebooks from it.
"""
