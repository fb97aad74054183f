def parse_duration(text):
    """Parse "1h30m"-style durations into seconds."""
    raise NotImplementedError("parse_duration")
