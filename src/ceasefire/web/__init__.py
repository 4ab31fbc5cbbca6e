"""The web pages: public reporting, the analyst's desk, the registries and the map.

Every page is rendered on the server from the same services as the JSON API (each page links its JSON
twin with rel=alternate) and obeys the same access rules. Pages work without JavaScript; scripts are
progressive enhancements served from /static (never inline: the Content-Security-Policy forbids it).
"""
