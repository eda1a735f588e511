"""Exception types of the ETL: each says what was wrong, where, and what to do."""


class EtlError(Exception):
    """Base class for ETL errors that a user can act on."""


class HashKeyError(EtlError):
    """The pseudonymisation key is missing, too short, or not the key the store was built with."""


class InputFormatError(EtlError):
    """An input cannot be read as records: unknown format or encoding, or required columns missing."""


class StoreError(EtlError):
    """The store cannot be opened, is of an unknown schema, or a load into it failed."""


class StoreKindError(EtlError):
    """Demo (synthetic) records and other records would be mixed in one store."""


class StoreMissingError(StoreError):
    """The store URL points at nothing (no file, no folder): readers never create a store."""


class StoreDamagedError(StoreError):
    """The store is not a sound database (empty, truncated, foreign or corrupt file): restore a backup."""


class StoreUnavailableError(StoreError):
    """The store's server cannot be reached (or the connection was lost): retry when it is back."""


class DiskSpaceError(EtlError):
    """Too little free space to stage or store a load, or the disk filled up during one."""


class TargetConfigError(EtlError):
    """The target file (targets per indicator per year, assessment weights) is malformed."""


class AlertConfigError(EtlError):
    """The early-warning rule file (``etl/alerts.toml``, ``YIPANQI_ALERTS``) is malformed."""
