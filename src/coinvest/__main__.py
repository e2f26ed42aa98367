from coinvest.cli import main

raise SystemExit(main())
