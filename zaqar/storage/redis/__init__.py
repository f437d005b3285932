"""Redis data driver (``zaqar.data.storage`` entry point ``redis``)."""
