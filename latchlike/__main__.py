from latchlike.cli import main

main()
