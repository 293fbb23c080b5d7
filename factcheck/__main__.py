"""`python -m factcheck` (same as the `factcheck` command and `python -m pipeline`)."""

import sys

from factcheck.cli import main

sys.exit(main())
