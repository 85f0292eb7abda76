"""``python -m eligibility``: the same as the ``eligibility`` command."""

import sys

from eligibility.cli.main import main

sys.exit(main())
