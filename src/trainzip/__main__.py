"""`python -m trainzip` is the `trainzip` command."""

import sys

from trainzip.cli import main

sys.exit(main())
