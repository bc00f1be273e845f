import sys

from booktools.bench.measure import main

sys.exit(main())
