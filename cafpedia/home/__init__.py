"""The home page: what every part of CAFpedia has that is new, gathered in one place."""
