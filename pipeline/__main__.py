"""`python -m pipeline`: an entry point, so it may call the composition root (nothing else in pipeline does)."""

import sys

from factcheck.cli import main

sys.exit(main())
