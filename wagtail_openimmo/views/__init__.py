"""Admin views of the app; ``viewsets.py`` wires them to URLs and menus."""
