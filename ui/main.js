// Entry point of the UI.
