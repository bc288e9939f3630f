"""duban (督办): the work-supervision system of a county government."""

__version__ = "0.1.0"
