"""Live workshop mode: a room joins with a short code, votes on phones, watches the projector."""
