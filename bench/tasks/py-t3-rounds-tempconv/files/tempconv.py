def convert(reading):
    """Convert "20C" to "68.0F" and "68F" to "20.0C"."""
    raise NotImplementedError
