import sys

from bankmine.cli import main

sys.exit(main())
