"""The kernel: ids, clock, errors and value objects shared by every domain.

Nothing here touches a database or a web framework; domains build on it.
"""
