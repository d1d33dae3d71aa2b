"""Signal handlers. ``AppConfig.ready()`` imports this module and nothing else."""
