"""Built-in sample data (``sample``) and the demo district (``run``)."""
