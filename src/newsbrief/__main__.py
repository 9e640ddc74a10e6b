from newsbrief.cli.main import main

raise SystemExit(main())
