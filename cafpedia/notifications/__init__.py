"""In-app notifications ("new digest: ..."), which each person can turn off by kind."""
