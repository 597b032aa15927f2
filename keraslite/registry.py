"""The one lookup helper shared by every family of string identifiers."""
import difflib


def lookup(registry, identifier, family):
    """Returns `registry[identifier]` or raises Keras's ValueError.

    The message lists the valid names and suggests the closest one.
    """
    if identifier in registry:
        return registry[identifier]
    names = sorted(registry)
    close = difflib.get_close_matches(str(identifier), names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ValueError(
        f"Could not interpret {family} identifier: {identifier!r}.{hint} "
        f"Valid names: {', '.join(names)}."
    )
