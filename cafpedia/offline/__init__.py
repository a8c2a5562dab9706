"""Reading offline: the installable web app's manifest, its service worker, and the list of
pages a signed-in person's phone keeps for when there is no signal."""
