"""The rules: one module per rule, in a folder per id family.

``access/`` AR1xx, ``tokens/`` AR2xx, ``sessions/`` AR3xx, ``oauth/`` AR4xx, ``credentials/`` AR5xx,
``injection/`` AR6xx, ``logs/`` AR7xx. A family's ``_shared.py`` holds what several of its rules use;
``_common.py`` what several families use. Importing this package imports every rule module, and each
rule class registers itself (``Rule.__init_subclass__``), so adding a rule is adding its file.
"""

import importlib
import pkgutil

for _module in pkgutil.walk_packages(__path__, __name__ + "."):
    if not _module.name.rpartition(".")[2].startswith("_"):
        importlib.import_module(_module.name)
