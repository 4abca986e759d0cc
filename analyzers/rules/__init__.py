"""The rules: one module per rule, in a folder per id family.

``access/`` AR1xx, ``tokens/`` AR2xx, ``sessions/`` AR3xx, ``oauth/`` AR4xx, ``credentials/`` AR5xx,
``injection/`` AR6xx, ``logs/`` AR7xx. A family's ``_shared.py`` holds what several of its rules use;
``_common.py`` what several families use. ``analyzers/registry.py`` imports every rule module and
collects the ``Rule`` classes they define, so adding a rule is adding its file.
"""
