"""The JSON API, through HTTP as a kiosk or a paper-entry tool would use it."""
