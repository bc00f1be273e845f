from booktools.site.server import main

main()
