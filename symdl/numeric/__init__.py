"""The numeric stage: stable, accurate NumPy functions compiled from the engine's expressions, and
``symdl check``, which measures them against mpmath."""
