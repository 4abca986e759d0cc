"""Development tools for auth-review; not part of the product wheel.

- ``devkit.emulator``: a local GitHub emulator (REST subset, webhooks, git data) that validates every
  request and response against GitHub's own REST API description (``devkit/emulator/data``).
- ``devkit.harness``: runs the real bot (web server and worker) against that emulator on local ports.

Used by the tests, ``make demo`` (examples/demo.py) and the benchmarks (bench/review.py). The wheel
packages only ``auth_review``; nothing here ships.
"""
