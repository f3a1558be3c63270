"""The name and version of the JSON run record that the meter, the codec and the probe all write."""

RECORD_FORMAT = "trainzip.run/1"
