"""Reference data pulled from each side and the maps between them."""
