"""``python -m rnn.bench``: see :mod:`rnn.bench`."""

import sys

from rnn.bench import main

sys.exit(main())
